/* Type dispatch for ops whose kernels are written once as a macro over the element type T.
 * X(T, SFX) is expanded once per dtype inside a switch; bool is held as uint8_t. */
#ifndef RNNRUN_OPS_TYPED_H
#define RNNRUN_OPS_TYPED_H

#include <math.h>

#include "ops.h"

#define RR_CASE_FLOATS(X) \
    case RR_FLOAT: X(float, f32) break; \
    case RR_DOUBLE: X(double, f64) break;
#define RR_CASE_INTS(X)                       \
    case RR_INT8: X(int8_t, i8) break;        \
    case RR_UINT8: X(uint8_t, u8) break;      \
    case RR_INT16: X(int16_t, i16) break;     \
    case RR_UINT16: X(uint16_t, u16) break;   \
    case RR_INT32: X(int32_t, i32) break;     \
    case RR_UINT32: X(uint32_t, u32) break;   \
    case RR_INT64: X(int64_t, i64) break;     \
    case RR_UINT64: X(uint64_t, u64) break;
#define RR_CASE_BOOL(X) case RR_BOOL: X(uint8_t, b8) break;

/* NaN test that also compiles (to false) for integer T without self-comparison warnings. */
static inline int rr_isnan_d(double v) { return isnan(v); }

/* Loop over a broadcast walk (see rr_broadcast): BODY sees o (output element), i0, i1, i2
 * (element offsets of operands 0..2; unused ones stay 0). */
#define RR_BCAST_FOR(bc, BODY)                                                                      \
    do {                                                                                            \
        const rr_bcast *b_ = (bc);                                                                  \
        int r_ = b_->rank;                                                                          \
        int64_t inner_ = b_->dims[r_ - 1], outer_ = 1;                                              \
        for (int d_ = 0; d_ < r_ - 1; d_++) outer_ *= b_->dims[d_];                                 \
        int64_t idx_[RR_MAX_RANK] = {0}, off_[RR_BCAST_MAX] = {0};                                  \
        const int64_t s0_ = b_->st[0][r_ - 1], s1_ = b_->st[1][r_ - 1], s2_ = b_->st[2][r_ - 1];   \
        if (inner_ > 0)                                                                             \
            for (int64_t o_ = 0; o_ < outer_; o_++) {                                               \
                for (int64_t k_ = 0; k_ < inner_; k_++) {                                           \
                    int64_t o = o_ * inner_ + k_, i0 = off_[0] + k_ * s0_, i1 = off_[1] + k_ * s1_; \
                    int64_t i2 = off_[2] + k_ * s2_;                                                \
                    (void)i0, (void)i1, (void)i2;                                                   \
                    BODY;                                                                           \
                }                                                                                   \
                for (int d_ = r_ - 2; d_ >= 0; d_--) {                                              \
                    for (int q_ = 0; q_ < b_->n; q_++) off_[q_] += b_->st[q_][d_];                  \
                    if (++idx_[d_] < b_->dims[d_]) break;                                           \
                    for (int q_ = 0; q_ < b_->n; q_++) off_[q_] -= b_->st[q_][d_] * b_->dims[d_];   \
                    idx_[d_] = 0;                                                                   \
                }                                                                                   \
            }                                                                                       \
    } while (0)

/* float16 <-> float32 (IEEE binary16; round to nearest even) */
float rr_half_to_float(uint16_t h);
uint16_t rr_float_to_half(float f);

#endif
