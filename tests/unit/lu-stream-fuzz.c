/*
 * libFuzzer target: the live update state parser (xen/common/lu-stream.c)
 * on any bytes.  Built with FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, so
 * that checksums do not stop the fuzzer at the first byte it changes.
 * Whatever the input, the parser must return, read no byte outside the
 * input (AddressSanitizer) and hand the reader only records that fit.
 */
#include <stdlib.h>

#include <xen/lu-stream.h>

static const uint8_t *input_end;

static int reader(uint32_t type, const void *body, uint32_t len, void *arg)
{
    const uint8_t *p = body;

    if ( p + len > input_end )
        abort();                /* a record beyond the input */
    ++*(unsigned long *)arg;

    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lu_stream_error err;
    unsigned long records = 0;

    input_end = data + size;
    if ( lu_stream_parse(data, size, reader, &records, &err) && records )
        abort();                /* a bad stream reached the reader */

    return 0;
}
