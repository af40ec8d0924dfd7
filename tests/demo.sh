# The demo 'make run' shows in dom0: what Xen we run and what it hosts.
# Later issues add their demos here.
echo "== xl info"
xl info
echo "== xl list"
xl list
echo "== kexec (Debian's kexec-tools) against this Xen"
kexec --version
