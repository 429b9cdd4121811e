#!/bin/sh
# Packaging: `meson install` into a temporary DESTDIR, then build tests/install/embed.c against the
# installed copy through the installed rnnrun.pc (shared and static), and against this build
# folder through meson-uninstalled/rnnrun-uninstalled.pc; run each on models/loop_tanh, and run
# the installed CLI. Arguments: MESON BUILD_ROOT SOURCE_ROOT PREFIX BINDIR LIBDIR INCLUDEDIR SANITIZE
# (CC is the compiler command of the build).
set -eu
meson=$1 build=$2 src=$3 prefix=$4 bindir=$5 libdir=$6 includedir=$7 sanitize=$8
: "${CC:=cc}"
flags="-std=c11 -Wall -Wextra -Werror"
[ "$sanitize" = none ] || flags="$flags -fsanitize=$sanitize"
model=$src/models/loop_tanh
dest=$(mktemp -d "${TMPDIR:-/tmp}/rnnrun-install.XXXXXX")
trap 'rm -rf "$dest"' EXIT
fail() { echo "install_test: $*" >&2; exit 1; }

# meson's directory options are relative to the prefix unless absolute
case $bindir in /*) ;; *) bindir=$prefix/$bindir ;; esac
case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac
case $includedir in /*) ;; *) includedir=$prefix/$includedir ;; esac

"$meson" install -C "$build" --no-rebuild --quiet --destdir "$dest" >/dev/null
for f in "$includedir/rnnrun.h" "$libdir/librnnrun.a" "$libdir/librnnrun.so" "$libdir/librnnrun.so.0" \
         "$libdir/pkgconfig/rnnrun.pc" "$bindir/rnnrun"; do
    [ -e "$dest$f" ] || fail "meson install did not install $f"
done
echo "installed: $(cd "$dest" && find . -type f -o -type l | sort | tr '\n' ' ')"
# only the public header is installed
[ "$(ls "$dest$includedir")" = rnnrun.h ] || fail "installed headers: $(ls "$dest$includedir")"
soname=$(readelf -d "$dest$libdir/librnnrun.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = librnnrun.so.0 ] || fail "soname is '$soname', expected librnnrun.so.0"

export PKG_CONFIG_PATH="$dest$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
[ "$(pkg-config --modversion rnnrun)" = "$(sed -n 's/^#define RNNRUN_VERSION "\(.*\)"/\1/p' "$src/src/rnnrun.h")" ] ||
    fail "rnnrun.pc version $(pkg-config --modversion rnnrun) differs from rnnrun.h"
cflags=$(pkg-config --cflags rnnrun)
case $cflags in *"$dest"*) ;; *) fail "pkg-config --cflags does not point into DESTDIR: $cflags" ;; esac

# shared: found through rnnrun.pc, loaded by its soname from the installed folder
$CC $flags $cflags -o "$dest/embed" "$src/tests/install/embed.c" $(pkg-config --libs rnnrun) -lm
readelf -d "$dest/embed" | grep -q 'NEEDED.*\[librnnrun.so.0\]' || fail "embed does not load librnnrun.so.0"
out=$(LD_LIBRARY_PATH="$dest$libdir" "$dest/embed" "$model") || fail "embed (shared) failed: $out"
echo "shared: $out"

# static: the archive and rnnrun.pc's private dependencies
libs=$(pkg-config --static --libs rnnrun | sed 's/-lrnnrun\b/-l:librnnrun.a/')
$CC $flags $cflags -o "$dest/embed_static" "$src/tests/install/embed.c" $libs
if readelf -d "$dest/embed_static" | grep -q 'NEEDED.*librnnrun'; then fail "embed_static links librnnrun.so"; fi
out=$("$dest/embed_static" "$model") || fail "embed (static) failed: $out"
echo "static: $out"

# uninstalled: straight from the build folder
unset PKG_CONFIG_SYSROOT_DIR
export PKG_CONFIG_PATH="$build/meson-uninstalled"
$CC $flags $(pkg-config --cflags rnnrun-uninstalled) -o "$dest/embed_uninstalled" "$src/tests/install/embed.c" \
    $(pkg-config --libs rnnrun-uninstalled) -lm
out=$(LD_LIBRARY_PATH="$build/src" "$dest/embed_uninstalled" "$model") || fail "embed (uninstalled) failed: $out"
echo "uninstalled: $out"

# the installed CLI
out=$("$dest$bindir/rnnrun" "$model/model.onnx" "$model/input_0.npy") || fail "installed rnnrun failed"
case $out in "y: float32 (8, 5)"*) ;; *) fail "installed rnnrun printed: $out" ;; esac
echo "cli: $(echo "$out" | head -1)"
