#!/usr/bin/env bash
# Builds the Debian package (cpack -G DEB) from an existing build and installs it into a clean Debian 12 root with
# apt, which must find every library the package declares (dpkg-shlibdeps); then the installed edict, with nothing
# but the package and its dependencies, decides examples/shipments.jsonl under policies/us_ear_timeline.edict and
# must print exactly what the build's own edict prints. Run as root (chroot, mount).
#
#   tests/package/deb_test.sh BUILD_DIR SOURCE_DIR      (CTest: ctest --test-dir build -C package)
#
# The clean root: a `mmdebstrap --variant=apt bookworm` tarball (essential packages and apt, nothing else), made
# once from the Debian mirror and kept in $EDICT_DEB_TEST_CACHE (default ~/.cache/edict-deb-test) with its package
# lists, with the .debs apt fetches for the dependencies; each run unpacks a fresh copy, so no run sees another's
# state. The first run needs the network (like .ci/install-deps); later runs do not, until the cache is a week
# old or the lists no longer match the mirror, when it is made again.
set -euo pipefail
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
cache=${EDICT_DEB_TEST_CACHE:-${HOME:-/root}/.cache/edict-deb-test}
mirror=${EDICT_DEB_MIRROR:-http://deb.debian.org/debian}
security=${EDICT_DEB_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
fail() { echo "deb_test: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || fail "needs root (chroot and mount)"
for tool in cpack dpkg-deb mmdebstrap; do command -v "$tool" >/dev/null || fail "needs $tool (.ci/install-deps)"; done

work=$(mktemp -d /tmp/edict-deb-test.XXXXXX)
root=$work/root
cleanup() {
  for m in "$root/var/cache/apt/archives" "$root/dev" "$root/proc"; do mountpoint -q "$m" 2>/dev/null && umount -l "$m"; done
  rm -rf "$work"
}
trap cleanup EXIT

# 1. The package.
(cpack -G DEB -B "$work" --config "$build/CPackConfig.cmake" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack failed"; }
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
deb=$work/edict_${version}_amd64.deb
[[ -f $deb ]] || fail "no $(basename "$deb"); cpack made: $(ls "$work")"
echo "deb_test: built $(basename "$deb") ($(du -h "$deb" | cut -f1))"
depends=$(dpkg-deb -f "$deb" Depends)
echo "deb_test: Depends: $depends"
# dpkg-shlibdeps found the libraries the binary links: the C++ runtime, LLVM 19, Z3 and the others.
for lib in libc6 libstdc++6 libllvm19 libz3-4 libedit2 libsqlite3-0 libpqxx-6.4 libcsv3; do
  [[ $depends == *"$lib "* || $depends == *"$lib,"* || $depends == *"$lib" ]] || fail "Depends lacks $lib"
done
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/edict ./usr/share/edict/stdlib/countries.edict ./usr/share/edict/stdlib/ear/shipment.edict \
  ./usr/share/man/man1/edict.1.gz ./usr/share/bash-completion/completions/edict \
  ./usr/share/zsh/vendor-completions/_edict ./usr/share/doc/edict/copyright; do
  grep -q " $f\$" <<<"$contents" || fail "the package lacks $f"
done

# 2. A clean Debian 12 root.
mkdir -p "$cache/archives/partial"
tarball=$cache/bookworm-apt.tar
if [[ -f $tarball && -n $(find "$tarball" -mtime +7) ]]; then rm -f "$tarball"; fi
make_root() {
  echo "deb_test: making a clean Debian 12 root with mmdebstrap (once; kept in $cache)"
  mmdebstrap --variant=apt --mode=root --format=tar --skip=cleanup/apt/lists bookworm "$tarball.tmp" \
    "deb $mirror bookworm main" "deb $mirror bookworm-updates main" "deb $security bookworm-security main" \
    >"$work/mmdebstrap.log" 2>&1 || { tail -20 "$work/mmdebstrap.log"; fail "mmdebstrap failed (it needs the network once)"; }
  mv "$tarball.tmp" "$tarball"
}
[[ -f $tarball ]] || make_root
install_in_root() {  # (set -e does not apply inside a function called by `if`: each step is checked)
  rm -rf "$root" && mkdir -p "$root" && tar -C "$root" -xf "$tarball" || return 1
  mount -t proc proc "$root/proc" || return 1  # edict finds its stdlib through /proc/self/exe
  mount --bind "$cache/archives" "$root/var/cache/apt/archives" || return 1
  cp "$deb" "$root/tmp/" || return 1
  chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "/tmp/$(basename "$deb")" >"$work/apt.log" 2>&1
}
if ! install_in_root; then
  # Lists older than the mirror name versions it no longer has: make the root again, once.
  tail -5 "$work/apt.log"
  umount -l "$root/var/cache/apt/archives" "$root/proc" 2>/dev/null || true
  make_root
  install_in_root || { tail -30 "$work/apt.log"; fail "apt-get install of the package failed"; }
fi
grep -E "^(Get|Setting up edict)" "$work/apt.log" | tail -3 || true
echo "deb_test: installed with $(grep -c '^Setting up' "$work/apt.log") packages set up"

# 3. The installed edict decides the example shipments, alone: no build tree, no source tree (only the policies
#    and shipments copied in), the stdlib from the package.
mkdir -p "$root/work/policies" "$root/work/examples"
cp "$source"/policies/*.edict "$root/work/policies/"
cp "$source/examples/shipments.jsonl" "$root/work/examples/"
in_root() { chroot "$root" env -i PATH=/usr/bin:/bin HOME=/root XDG_CACHE_HOME=/tmp/cache "$@"; }
[[ $(in_root sh -c 'command -v edict') == /usr/bin/edict ]] || fail "edict is not /usr/bin/edict in the root"
in_root edict version | tee "$work/version"
grep -q "^stdlib: /usr/share/edict/stdlib$" "$work/version" || fail "the installed edict does not use the packaged stdlib"
in_root sh -c 'cd /work && edict eval policies/us_ear_timeline.edict --input examples/shipments.jsonl' \
  >"$work/decisions.jsonl" 2>"$work/eval.err" || { cat "$work/eval.err"; fail "edict eval failed in the root"; }
cat "$work/eval.err"
(cd "$source" && "$build/bin/edict" eval policies/us_ear_timeline.edict --input examples/shipments.jsonl) \
  >"$work/expected.jsonl" 2>/dev/null
cmp "$work/decisions.jsonl" "$work/expected.jsonl" || { diff "$work/expected.jsonl" "$work/decisions.jsonl" | head; fail "decisions differ from the build's"; }
echo "deb_test: $(wc -l <"$work/decisions.jsonl") decisions, identical to the build's"
in_root sh -c 'cd /work && edict test policies/' | tail -1
# The completion script loads in the root's bash; the man page is there, compressed.
in_root bash -c 'source /usr/share/bash-completion/completions/edict && complete -p edict' | grep -q "_edict edict" \
  || fail "the installed bash completion does not load"
in_root sh -c 'gzip -t /usr/share/man/man1/edict.1.gz' || fail "the installed man page is not a gzip file"
echo "deb_test: ok"
