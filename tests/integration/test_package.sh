#!/usr/bin/env bash
# test_package.sh -- the Debian package and `cmake --install`: deploy/package.sh builds the
# .deb; it holds the program, the units, the manual page, every data file and the example
# configurations (as conffiles in /etc/govsweep), depends on the libraries' packages and
# recommends redis-server; its maintainer scripts parse. The package is then unpacked into
# a temporary directory (`dpkg-deb -x`: `dpkg --root` would run the maintainer scripts
# against this machine's users) and its binary, which reads its data from
# /usr/share/govsweep, runs a small cluster sweep -- collector, dispatcher and worker
# started from the packaged example configurations, a Redis with a password -- of a
# simulated province on loopback. Last, `cmake --install` of this build lays out a prefix.
source "$(dirname "$0")/lib.sh"

for tool in dpkg-deb dpkg-shlibdeps cpack; do
    if ! command -v $tool >/dev/null; then
        echo "skip - $tool not installed (deploy/install-deps.sh installs dpkg-dev and cmake)"
        finish
        exit
    fi
done
VERSION=$("$GS_BIN" version | awk '{ print $2 }')

# ---- build the package ------------------------------------------------------------------
rc=0
bash "$GS_SRC/deploy/package.sh" --build-dir "$T/build" --out "$T/out" >"$T/package.out" 2>&1 || rc=$?
tail -n 20 "$T/package.out"
DEB=$(tail -n 1 "$T/package.out")
check "deploy/package.sh builds $(basename "$DEB")" [ $rc -eq 0 -a -f "$DEB" ]
[ $rc -eq 0 ] && [ -f "$DEB" ] || { finish; exit 1; }
check "the package is named govsweep_${VERSION}_ARCH.deb" \
    [ "$(basename "$DEB")" = "govsweep_${VERSION}_$(dpkg --print-architecture).deb" ]

dpkg-deb -f "$DEB" >"$T/control"
dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's|^\./|/|' >"$T/files"
field() { sed -n "s/^$1: //p" "$T/control"; }
check "Package: govsweep" [ "$(field Package)" = govsweep ]
check "Version: $VERSION (the project's)" [ "$(field Version)" = "$VERSION" ]
check "a Maintainer and a Description" [ -n "$(field Maintainer)" -a -n "$(field Description)" ]
deps=$(field Depends)
echo "Depends: $deps"
for p in libc6 libzmq5 libcurl4 libhiredis libxml2 libmsgpackc2 libjansson4 libuchardet0 libopencc1.1 libxlsxwriter libopencc-data adduser; do
    check "Depends on $p" grep -q "\b$p" <<<"$deps"
done
check "Recommends redis-server" grep -q "redis-server" <<<"$(field Recommends)"
check "does not depend on redis-server (a worker host needs none)" [ "${deps/redis-server/}" = "$deps" ]

has() { grep -qx "$1" "$T/files"; }
check "holds /usr/bin/govsweep" has /usr/bin/govsweep
for u in govsweep-dispatcher.service govsweep-collector.service govsweep-worker@.service; do
    check "holds the unit $u" has "/usr/lib/systemd/system/$u"
done
check "holds the manual page" has /usr/share/man/man1/govsweep.1.gz
missing=""
for f in "$GS_SRC"/data/*; do
    has "/usr/share/govsweep/$(basename "$f")" || missing="$missing $(basename "$f")"
done
check "holds every data file of data/${missing:+ (missing:$missing)}" [ -z "$missing" ]
for c in dispatcher collector worker central; do
    check "holds $c.conf in /etc/govsweep" has "/etc/govsweep/$c.conf"
    check "holds $c.conf in the examples" has "/usr/share/doc/govsweep/examples/$c.conf"
done
check "holds docs/operations.md (the units' Documentation=)" has /usr/share/doc/govsweep/operations.md
check "nothing outside /usr and /etc/govsweep" \
    [ -z "$(grep -vE '^/$|^/usr(/|$)|^/etc/$|^/etc/govsweep(/|$)' "$T/files")" ]

mkdir -p "$T/control.d"
dpkg-deb -e "$DEB" "$T/control.d"
check "conffiles lists the four /etc/govsweep files" \
    [ "$(sort "$T/control.d/conffiles" | tr '\n' ' ')" = "/etc/govsweep/central.conf /etc/govsweep/collector.conf /etc/govsweep/dispatcher.conf /etc/govsweep/worker.conf " ]
for s in postinst prerm postrm; do
    check "maintainer script $s is executable" test -x "$T/control.d/$s"
    check "maintainer script $s parses" sh -n "$T/control.d/$s"
done
if command -v shellcheck >/dev/null; then
    check "the maintainer scripts pass shellcheck" shellcheck -s sh "$T"/control.d/{postinst,prerm,postrm}
else
    echo "skip - shellcheck not installed"
fi
check "postinst creates the govsweep system user" grep -q "adduser --system" "$T/control.d/postinst"
check "postinst creates /var/lib/govsweep for it" \
    grep -q "install -d -o govsweep -g govsweep -m 0750 /var/lib/govsweep" "$T/control.d/postinst"

# ---- unpack and run what the package installs -------------------------------------------
R=$T/root
dpkg-deb -x "$DEB" "$R"
G=$R/usr/bin/govsweep
check "the packaged binary says its version" [ "$("$G" version)" = "govsweep $VERSION" ]
check "the packaged binary knows the same options as this build" \
    cmp -s <("$G" --help) <("$GS_BIN" --help)
check "the packaged binary reads its data from /usr/share/govsweep" \
    grep -qx "/usr/share/govsweep" <(strings "$G")
if [ ! -e /usr/share/govsweep ]; then
    no_data() {
        local rc=0
        "$G" worker --dispatcher-endpoint "ipc://$T/none-d" --collector-endpoint "ipc://$T/none-c" \
            >/dev/null 2>"$T/nodata.err" || rc=$?
        [ $rc -ne 0 ] && grep -q "/usr/share/govsweep/closed-markers.txt" "$T/nodata.err"
    }
    check "without /usr/share/govsweep the worker stops, naming the file it needs" no_data
else
    echo "skip - govsweep is installed on this machine (/usr/share/govsweep exists)"
fi
export GS_DATA_DIR=$R/usr/share/govsweep

# A cluster in miniature, as docs/operations.md sets one up: Redis with a password (given
# as GS_REDIS_PASSWORD, as the units' redis.env does), the packaged configuration files,
# and on the command line only what differs on this machine (the test's endpoints).
REF=2021-06-15T10:00
PW=pkg-test-$RANDOM$RANDOM
mkdir -p "$T/redis"
redis-server --port 0 --unixsocket "$T/redis/redis.sock" --unixsocketperm 700 --dir "$T/redis" \
    --requirepass "$PW" --save "" --appendonly no --daemonize no >"$T/redis/log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
    redis-cli -s "$T/redis/redis.sock" -a "$PW" --no-auth-warning ping 2>/dev/null | grep -q PONG && break
    sleep 0.1
done
export GS_REDIS_PASSWORD=$PW
REDIS=unix://$T/redis/redis.sock
start_sim "$T/prov" --seed 11 --sites 4 --accounts 4 --defect-rate 0.5 --reference-time "$REF" \
    --pages-per-site 8
N=$(csv_rows "$T/prov/registry.csv")
E=$R/etc/govsweep
"$G" collector --config "$E/collector.conf" --redis "$REDIS" \
    --collector-endpoint "ipc://$T/collect.sock" >"$T/collector.log" 2>&1 &
COLL=$!
PIDS+=("$COLL")
"$G" worker --config "$E/worker.conf" --worker-id pkgtest-1 \
    --dispatcher-endpoint "ipc://$T/dispatch.sock" --collector-endpoint "ipc://$T/collect.sock" \
    --allow-private "${CONNECT_TO[@]}" --home-retries 0 >"$T/worker.log" 2>&1 &
WORK=$!
PIDS+=("$WORK")
rc=0
"$G" dispatcher --config "$E/dispatcher.conf" --redis "$REDIS" --registry "$T/prov/registry.csv" \
    --sweep pkg1 --reference-time "$REF" --dispatcher-endpoint "ipc://$T/dispatch.sock" \
    --max-pages 8 --lease-ms 5000 >"$T/dispatcher.log" 2>&1 &
DISP=$!
PIDS+=("$DISP")
# the dispatcher exits when the sweep is complete; a hang fails here, after 120 s
for _ in $(seq 1 1200); do
    kill -0 $DISP 2>/dev/null || break
    sleep 0.1
done
wait $DISP || rc=$?
check "the packaged dispatcher completes the sweep of $N targets (exit 0)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -n 5 "$T/dispatcher.log" "$T/collector.log" "$T/worker.log"
check "every target is stored once" \
    [ "$(redis-cli -s "$T/redis/redis.sock" -a "$PW" --no-auth-warning SCARD gs:sweep:pkg1:done)" = "$N" ]
stop_ok() { # stop_ok PID: SIGTERM, and the daemon exits 0
    local rc=0
    kill -TERM "$1"
    wait "$1" || rc=$?
    [ $rc -eq 0 ]
}
check "the packaged worker stops on SIGTERM with exit 0" stop_ok $WORK
check "the packaged collector stops on SIGTERM with exit 0" stop_ok $COLL
rc=0
"$G" report --redis "$REDIS" --sweep pkg1 --out "$T/report" >"$T/report.log" 2>&1 || rc=$?
check "the packaged binary writes the report (exit 0)" [ $rc -eq 0 ]
check "the report has one row per target" [ "$(csv_rows "$T/report/targets.csv")" -eq "$N" ]
# a finding's Chinese name comes from the packaged codes.tsv
names=$(grep -v '^#' "$GS_DATA_DIR/codes.tsv" | cut -f2 | grep . | paste -sd'|')
check "the report names findings as the packaged code table does" grep -qE "$names" "$T/report/report.md"

# ---- cmake --install --------------------------------------------------------------------
# The package's build, installed with DESTDIR, gives exactly the package's files.
rc=0
DESTDIR=$T/destdir cmake --install "$T/build" >"$T/install.out" 2>&1 || rc=$?
check "cmake --install of the package build succeeds" [ $rc -eq 0 ]
(cd "$T/destdir" && find . ! -type d | sed 's|^\.||' | sort) >"$T/installed"
grep -v '/$' "$T/files" | sort >"$T/packaged"
check "it installs the package's files, no more, no less" cmp -s "$T/installed" "$T/packaged"
diff "$T/installed" "$T/packaged" || true
echo "# edited by the operator" >>"$T/destdir/etc/govsweep/worker.conf"
DESTDIR=$T/destdir cmake --install "$T/build" >"$T/install.out" 2>&1 || true
check "installing again keeps an edited /etc/govsweep file" \
    grep -qx "# edited by the operator" "$T/destdir/etc/govsweep/worker.conf"
check "and says so" grep -q "Kept: .*/etc/govsweep/worker.conf" "$T/install.out"

# This test's own build (no GS_INSTALL_LAYOUT) installed into a prefix of its own.
B=$(dirname "$GS_BIN")
if [ -f "$B/CMakeCache.txt" ]; then
    P=$T/prefix
    rc=0
    # the compressed manual page is built with everything; build it if only govsweep was
    [ -f "$B/deploy/govsweep.1.gz" ] || cmake --build "$B" --target gs_man >/dev/null 2>&1 || true
    cmake --install "$B" --prefix "$P" >"$T/install2.out" 2>&1 || rc=$?
    [ $rc -eq 0 ] || cat "$T/install2.out"
    check "cmake --install --prefix of this build succeeds" [ $rc -eq 0 ]
    check "bin/govsweep" test -x "$P/bin/govsweep"
    check "share/govsweep/ has the data files" test -s "$P/share/govsweep/closed-markers.txt"
    check "lib/systemd/system/ has the three units" \
        test -f "$P/lib/systemd/system/govsweep-dispatcher.service" -a \
        -f "$P/lib/systemd/system/govsweep-collector.service" -a \
        -f "$P/lib/systemd/system/govsweep-worker@.service"
    check "share/man/man1/govsweep.1.gz" test -s "$P/share/man/man1/govsweep.1.gz"
    check "share/doc/govsweep/examples/ has the four configurations" \
        [ "$(ls "$P/share/doc/govsweep/examples" | tr '\n' ' ')" = "central.conf collector.conf dispatcher.conf worker.conf " ]
    check "no etc/ without GS_INSTALL_LAYOUT" [ ! -e "$P/etc" ]
    check "the install says where this build reads its data" grep -q "GS_INSTALL_LAYOUT" "$T/install2.out"
    prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$B/CMakeCache.txt")
    check "the units name the configured prefix's binary ($prefix/bin/govsweep)" \
        grep -q "^ExecStart=$prefix/bin/govsweep worker " "$P/lib/systemd/system/govsweep-worker@.service"
else
    echo "skip - $B is not a CMake build directory"
fi

finish
