/* Userspace stand-in for Xen's <xen/types.h>, for tests/unit. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
