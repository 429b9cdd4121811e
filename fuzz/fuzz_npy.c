/* libFuzzer harness: the .npy parser on arbitrary bytes. An array that parses must survive an
 * encode/parse round trip unchanged. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    rr_tensor t;
    rr_err err = {0};
    if (rr_npy_parse(data, size, &t, &err) != RNNRUN_OK) {
        if (!err.msg[0] || t.data) abort();
        return 0;
    }
    size_t nbytes = rr_tensor_bytes(&t);
    if (nbytes > size) abort(); /* the data must come from the file */
    unsigned char *enc;
    size_t n;
    rr_err e2 = {0};
    if (rr_npy_encode(&t, 1, &enc, &n, &e2) == RNNRUN_OK) {
        rr_tensor u;
        rr_err e3 = {0};
        if (rr_npy_parse(enc, n, &u, &e3) != RNNRUN_OK) {
            fprintf(stderr, "round trip failed: %s\n", e3.msg);
            abort();
        }
        if (u.dtype != t.dtype || !rr_shape_eq(&u, &t) || memcmp(u.data, t.data, nbytes) != 0) abort();
        free(u.data);
        free(enc);
    } else if (e2.status != RNNRUN_ERR_UNSUPPORTED) {
        abort();
    }
    free(t.data);
    return 0;
}
