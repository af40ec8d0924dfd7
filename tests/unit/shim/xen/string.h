/* Userspace stand-in for Xen's <xen/string.h>, for tests/unit. */
#include <string.h>
