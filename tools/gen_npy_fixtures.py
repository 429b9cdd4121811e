#!/usr/bin/python3
"""Write the .npy fixtures of tests/test_npy.c into tests/data/npy/ (they are committed, so the
tests run without NumPy). Run with a Python that has NumPy (Debian's /usr/bin/python3):

    /usr/bin/python3 tools/gen_npy_fixtures.py            # (re)write tests/data/npy/
    /usr/bin/python3 tools/gen_npy_fixtures.py --check D  # load every D/*.npy written by rnnrun

Values are deterministic. The element at flat C-order index i (0, 1, 2, ...) of every valid fixture
is value(code, i) below; test_npy.c computes the same formula (expect_value there). A Fortran-order
fixture holds the same logical array as the C-order one, so rnnrun must read it back equal to the
formula in C order. The one exception is save_transposed_i4.npy (see below).

    code  formula                          code  formula
    f2    (i - 11.5) * 0.25                u1    i * 10 + 3
    f4    (i - 11.5) * 0.25                u2    i * 2731
    f8    (i - 11.5) * 0.25                u4    i * 170000000 + 7
    i1    i * 5 - 60                       u8    i * 700000000000000001
    i2    (i - 12) * 1001                  b1    i % 3 == 0
    i4    (i - 12) * 100000007
    i8    (i - 12) * 1000000000007

Every array has at most 24 elements, so all the values are exact in their dtype (the float values
are multiples of 1/8 of magnitude < 4, exact even in float16).

--check D: for each D/<code>_<shape>.npy (shape: "scalar" or dims joined by "x", e.g.
f4_2x3x4.npy, i8_2x0x3.npy, b1_scalar.npy), load it with numpy.load and compare dtype, shape and
every value with the formula. test_npy.c writes such files with rr_npy_write when the environment
variable RNNRUN_NPY_KEEP names a folder.
"""
import os
import sys

import numpy as np
from numpy.lib import format as npf

CODES = ["f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1"]


def value(code, i):
    if code[0] == "f":
        return (i - 11.5) * 0.25
    return {
        "i1": lambda: i * 5 - 60,
        "i2": lambda: (i - 12) * 1001,
        "i4": lambda: (i - 12) * 100000007,
        "i8": lambda: (i - 12) * 1000000000007,
        "u1": lambda: i * 10 + 3,
        "u2": lambda: i * 2731,
        "u4": lambda: i * 170000000 + 7,
        "u8": lambda: i * 700000000000000001,
        "b1": lambda: i % 3 == 0,
    }[code]()


def make(code, shape):
    """The C-order array of this dtype code and shape, filled with the formula."""
    n = int(np.prod(shape, dtype=np.int64))
    dt = np.dtype(("|" if code[1] == "1" else "<") + code)
    flat = np.array([value(code, i) for i in range(n)], dtype=dt)
    return flat.reshape(shape)


def write(path, arr, version):
    with open(path, "wb") as f:
        npf.write_array(f, arr, version=(version, 0), allow_pickle=True)


def generate(out):
    os.makedirs(out, exist_ok=True)
    for old in os.listdir(out):
        if old.endswith(".npy"):
            os.remove(os.path.join(out, old))
    p = lambda name: os.path.join(out, name)

    # the dtype x version x order matrix, shape (2, 3, 4)
    for code in CODES:
        a = make(code, (2, 3, 4))
        for v in (1, 2, 3):
            write(p(f"{code}_v{v}_c.npy"), a, v)
            write(p(f"{code}_v{v}_f.npy"), np.asfortranarray(a), v)

    # scalars (shape ()), value(code, 0)
    for code in ("f4", "f8", "i8", "i4", "u1", "b1"):
        write(p(f"scalar_{code}.npy"), make(code, ()), 1)
    write(p("scalar_f8_v3.npy"), make("f8", ()), 3)

    # zero-size arrays (numpy writes them as C order: they are both C and F contiguous)
    write(p("empty_f4_0.npy"), make("f4", (0,)), 1)
    write(p("empty_i8_2x0x3.npy"), make("i8", (2, 0, 3)), 1)
    write(p("empty_b1_0_v2.npy"), make("b1", (0,)), 2)
    write(p("empty_f8_2x0x3_v3.npy"), make("f8", (2, 0, 3)), 3)

    # rank 8 (24 elements), C and Fortran order
    r8 = (2, 1, 2, 1, 2, 1, 3, 1)
    write(p("rank8_f4_c.npy"), make("f4", r8), 1)
    write(p("rank8_f4_f.npy"), np.asfortranarray(make("f4", r8)), 1)
    write(p("rank8_u2_f_v3.npy"), np.asfortranarray(make("u2", r8)), 3)

    # rank 1 and rank 2 in Fortran order (rank 1 is always written as C order by numpy)
    write(p("rank1_i8_5.npy"), make("i8", (5,)), 1)
    write(p("rank2_f8_4x6_f.npy"), np.asfortranarray(make("f8", (4, 6))), 2)
    write(p("rank2_b1_6x4_f.npy"), np.asfortranarray(make("b1", (6, 4))), 1)

    # np.save of a transposed view: a Fortran-order (2, 3, 4) int32 array whose element [a, b, c]
    # is c * 6 + b * 2 + a (the exception to the formula)
    np.save(p("save_transposed_i4.npy"), np.arange(24, dtype="<i4").reshape(4, 3, 2).T)
    # np.save of a plain array (version 1.0 chosen by numpy), formula values
    np.save(p("save_f4_2x3x4.npy"), make("f4", (2, 3, 4)))

    # ---- invalid files ----
    base = p("f4_v1_c.npy")
    with open(base, "rb") as f:
        good = f.read()
    data_off = 10 + int.from_bytes(good[8:10], "little")

    def raw(name, b):
        with open(p(name), "wb") as f:
            f.write(b)

    write(p("bad_bigendian.npy"), make("f4", (2, 3)).astype(">f4"), 1)
    write(p("bad_complex.npy"), np.arange(6, dtype="<c8").reshape(2, 3), 1)
    write(p("bad_unicode.npy"), np.array(["ab", "cd"], dtype="<U2"), 1)
    write(p("bad_object.npy"), np.array([1, "x", None], dtype=object), 1)
    write(p("bad_structured.npy"), np.zeros(2, dtype=[("a", "<i4"), ("b", "<f4")]), 1)
    write(p("bad_rank9.npy"), make("f4", (1,) * 9), 1)
    raw("bad_truncated.npy", good[:-4])                     # 92 data bytes of 96
    raw("bad_trailing.npy", good + b"\0\0\0\0")              # 100 data bytes of 96
    raw("bad_header_only.npy", good[:data_off])              # no data at all
    raw("bad_magic.npy", b"\x94" + good[1:])
    raw("bad_hlen.npy", good[:8] + (len(good)).to_bytes(2, "little") + good[10:])  # past EOF
    raw("bad_version4.npy", good[:6] + b"\x04\x00" + good[8:])
    raw("bad_version1_1.npy", good[:6] + b"\x01\x01" + good[8:])
    raw("bad_empty.npy", b"")
    hdr = good[10:data_off]
    s = b"'shape': (2, 3, 4), "
    assert s in hdr
    raw("bad_noshape.npy", good[:10] + hdr.replace(s, b" " * len(s)) + good[data_off:])
    s = b"'descr': '<f4', "
    raw("bad_nodescr.npy", good[:10] + hdr.replace(s, b" " * len(s)) + good[data_off:])
    s = b"'fortran_order': False"
    raw("bad_fortran_maybe.npy", good[:10] + hdr.replace(s, b"'fortran_order': Maybe") + good[data_off:])
    s = b"'shape': (2, 3, 4), "
    raw("bad_shape_neg.npy", good[:10] + hdr.replace(s, b"'shape': (2, -3, 4),") + good[data_off:])

    for name in sorted(os.listdir(out)):
        size = os.path.getsize(p(name))
        assert size <= 512, (name, size)
    print(f"wrote {len(os.listdir(out))} files to {out}")


def check(folder):
    n = 0
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".npy"):
            continue
        code, shape_s = name[:-4].split("_", 1)
        shape = () if shape_s == "scalar" else tuple(int(d) for d in shape_s.split("x"))
        a = np.load(os.path.join(folder, name))
        want = make(code, shape)
        assert a.dtype == want.dtype, (name, a.dtype, want.dtype)
        assert a.shape == want.shape, (name, a.shape, want.shape)
        assert a.tobytes() == want.tobytes(), (name, a, want)
        n += 1
    assert n > 0, "no .npy files in " + folder
    print(f"numpy {np.__version__} loaded {n} files from {folder}: dtypes, shapes and values match")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    elif len(sys.argv) == 1:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        generate(os.path.join(root, "tests", "data", "npy"))
    else:
        sys.exit(__doc__)
