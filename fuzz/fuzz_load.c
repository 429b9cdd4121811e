/* libFuzzer harness: the loader on arbitrary bytes (rnnrun_model_load_buffer). Every input must
 * load or give a status with a non-empty message; never crash, leak or read out of bounds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnrun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    rnnrun_model *m = NULL;
    char err[512];
    int st = rnnrun_model_load_buffer(data, size, &m, err, sizeof err);
    if (st == RNNRUN_OK) {
        if (!m) abort();
        /* walk the queries over everything the model declares */
        for (int i = 0; i < rnnrun_model_input_count(m); i++) {
            int dtype, rank;
            int64_t dims[RNNRUN_MAX_RANK];
            const char *params[RNNRUN_MAX_RANK];
            if (!rnnrun_model_input_name(m, i) || rnnrun_model_input_info(m, i, &dtype, &rank, dims, params)) abort();
        }
        for (int i = 0; i < rnnrun_model_output_count(m); i++)
            if (!rnnrun_model_output_name(m, i)) abort();
        for (int i = 0; i < rnnrun_model_node_count(m); i++)
            if (!rnnrun_model_node_op(m, i)) abort();
        rnnrun_model_free(m);
    } else if (m || !err[0] || !strchr(err, ':')) {
        fprintf(stderr, "status %d without a proper message: '%s'\n", st, err);
        abort();
    }
    return 0;
}
