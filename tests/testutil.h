/* Helpers shared by the Check test programs. */
#ifndef RNNRUN_TESTUTIL_H
#define RNNRUN_TESTUTIL_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>

#include "internal.h"
#include "mb.h"
#include "rnnrun.h"

/* Load a built model, failing the test with the loader's message if it does not load. */
rnnrun_model *tu_load(mb *b);
/* Load expecting failure with this status; the message must contain `fragment` (if not NULL). */
void tu_load_fails(mb *b, int status, const char *fragment);

/* A tensor descriptor over caller data; shape as in mb ("2,3", "" for a scalar). */
rnnrun_tensor tu_tensor(int dtype, const char *shape, const void *data);
/* The API's view of an internal tensor (a .npy or .pb read by the tests): same dtype, shape, data. */
rnnrun_tensor tu_api_tensor(const rr_tensor *t);

/* Bind inputs (in order), run, and return the session (the caller frees it). Fails the test on
 * any error, with the session's message. */
rnnrun_session *tu_run(const rnnrun_model *m, int n_inputs, const rnnrun_tensor *inputs);
/* Bind and run expecting failure with this status and message fragment. */
void tu_run_fails(const rnnrun_model *m, int n_inputs, const rnnrun_tensor *inputs, int status,
                  const char *fragment);

/* Output i: check dtype and shape exactly, return the data. */
const void *tu_output(rnnrun_session *s, int i, int dtype, const char *shape);

/* |got - want| <= atol + rtol * |want| for every element (NaN matches NaN). */
void tu_close_f32(const float *got, const float *want, int64_t n, double atol, double rtol);
void tu_close_f64(const double *got, const double *want, int64_t n, double atol, double rtol);
void tu_equal_i64(const int64_t *got, const int64_t *want, int64_t n);
void tu_equal_bytes(const void *got, const void *want, size_t n);
/* got must have want's dtype and shape exactly, and values within atol + rtol * |want| (NaN
 * matches NaN; integers and bools exactly). Messages start with `what`. Returns the largest
 * absolute error. */
double tu_match(const char *what, const rnnrun_tensor *got, const rr_tensor *want, double atol, double rtol);

/* A fresh empty folder under $TMPDIR (or /tmp); the caller removes it with tu_rmtree. */
char *tu_tmpdir(void);
void tu_rmtree(const char *path);

/* Source root (from RNNRUN_SOURCE_ROOT, set by meson), for data files. */
const char *tu_source_root(void);

/* Run a program (argv[0] is its path) with stdout and stderr captured into malloc'd strings
 * (the caller frees them; either pointer may be NULL to discard). Returns the exit status, or
 * 128 + signal number if it was killed, or -1 if it could not be started. */
int tu_exec(const char *const *argv, char **out, char **err);
/* Read a whole file into malloc'd memory, NUL-terminated (NULL if it cannot be read); *size
 * (if not NULL) gets its length. */
char *tu_read_file(const char *path, size_t *size);
char *tu_read_text(const char *path);

/* Run a Check suite; returns the process exit status. */
int tu_run_suite(Suite *s);
/* main() of a test program: one suite `name` of the n tests. */
int tu_main(const char *name, const TTest *const *tests, int n);

/* An allocator that counts calls, for proving that runs allocate nothing. */
typedef struct tu_counter {
    long allocs, frees;
} tu_counter;
rr_allocator tu_counting_allocator(tu_counter *c);

#endif
