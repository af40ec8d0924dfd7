/* Userspace stand-in for Xen's <xen/errno.h>, for tests/unit. */
#include <errno.h>
