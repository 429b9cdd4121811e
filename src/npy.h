/* NumPy .npy files, versions 1.0, 2.0 and 3.0: little-endian numeric and bool arrays,
 * C order (Fortran order is transposed on read), scalars and zero-size arrays. */
#ifndef RNNRUN_NPY_H
#define RNNRUN_NPY_H

#include "internal.h"

/* Parse .npy bytes. On success *t describes the array and t->data points at a malloc'd copy of
 * the elements (at least one byte, even for zero-size arrays) that the caller frees. */
int rr_npy_parse(const void *buf, size_t size, rr_tensor *t, rr_err *err);
/* The same from a file. Messages do not include the path; the caller adds it. */
int rr_npy_read(const char *path, rr_tensor *t, rr_err *err);

/* Encode t as .npy format version 1, 2 or 3 (.0) into a malloc'd buffer; the data starts at a
 * multiple of 64 bytes, as NumPy writes it. Version 1 holds every header rnnrun writes. */
int rr_npy_encode(const rr_tensor *t, int version, unsigned char **buf, size_t *size, rr_err *err);
/* Write t to a file as version 1.0. */
int rr_npy_write(const char *path, const rr_tensor *t, rr_err *err);

#endif
