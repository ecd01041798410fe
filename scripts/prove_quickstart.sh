#!/usr/bin/env bash
# prove_quickstart.sh - prove that the two quick-start commands of this repository,
#   ./quickstart.sh test   and   ./quickstart.sh
# work on a truly bare Debian 12 (bookworm) that has Python 3.11 and nothing else prepared.
#
# Usage (as root, on a Debian/Ubuntu host; debootstrap only needed to build the bare root):
#
#   scripts/prove_quickstart.sh [OPTIONS] [REPO]
#
#   REPO               git repository to prove (default: the repository this script lives in).
#                      Only its COMMITTED tree is used (`git archive REF`): uncommitted and
#                      untracked files are not part of the proof (a warning says if there are any).
#   --ref REF          commit to prove (default: HEAD)
#   --base TAR         pristine bare root, as a tar (default: /srv/bare-bookworm.tar). Built with
#                      debootstrap when missing: variant minbase + python3 + ca-certificates, the
#                      host's Debian mirror, bookworm-updates/-security applied, apt lists emptied
#                      (like a fresh Debian 12 image), /etc/hosts with localhost. The unpacked tree
#                      is left beside it (TAR without .tar, e.g. /srv/bare-bookworm).
#   --rebuild-base     build the pristine bare root again even when TAR exists
#   --work DIR         work folder for the throw-away roots and the logs (default: /srv/prove-quickstart)
#   --keep             keep the roots after the run (default: deleted on success, kept on failure)
#   --no-user-install  skip steps g and h (slow: a second ~200 MB pip install)
#   --no-host-ca       do not add the host's own CA certificates to the roots (see step b)
#   -v, --verbose      also stream every step's output to the terminal
#   -h, --help         show this help
#
# Steps (each timed; the summary is printed at the end and written to WORK/logs/summary.txt):
#   a  restore a fresh copy of the pristine root to WORK/root-a
#   b  mount /proc, /sys, /dev, /dev/pts (and a fresh tmpfs on /dev/shm, as on a real system)
#      into it; copy /etc/resolv.conf. Network trust: the CA certificates this HOST added
#      locally (/usr/local/share/ca-certificates/*.crt, e.g. the CA of a TLS-intercepting egress
#      proxy) are added to the root's trust store with update-ca-certificates, because behind such
#      a proxy no bare system reaches PyPI without them ("self-signed certificate in certificate
#      chain"). This is the network's requirement, not QA Desk's; none found = nothing added.
#   c  copy the committed tree to /root/qa-desk inside the root
#   d  chroot, as root:  cd /root/qa-desk && CI=true ./quickstart.sh test
#      output -> WORK/logs/d-quickstart-test.log, exit code recorded. Reported as two lines:
#      d1 set-up (apt, venv, pip: everything before "quickstart: running the tests") and
#      d2 the test suite (pytest's exit code and closing line).
#   e  chroot, as root:  cd /root/qa-desk && QT_QPA_PLATFORM=offscreen timeout 25 ./quickstart.sh
#      exit 124 (still running after 25 s: window opened, event loop running) = pass, provided
#      "quickstart: starting QA Desk" was printed; any other exit = fail, log shown
#   f  a SECOND fresh root (WORK/root-b), user "qa" made with useradd, the tree in /home/qa/qa-desk;
#      as qa: ./quickstart.sh must exit 1, print a line "sudo apt-get install -y ..." (leading
#      blanks allowed), leave the dpkg database unchanged and create no .venv
#   g  (extra) root runs the printed command without "sudo" in root B. When it fails exactly as
#      printed (e.g. empty apt lists) that is a WARN, and it is retried after apt-get update
#   h  (extra) as qa again: ./quickstart.sh from scratch (venv + pip as a normal user); the app
#      must print "starting QA Desk" and still run 25 s later
#   z  clean-up, always (EXIT trap, also on failure or Ctrl-C): processes left in the roots
#      (e.g. a PostgreSQL server) are ended, every mount below WORK is unmounted and this is
#      verified. The whole run also happens in a private mount namespace (unshare), so not even
#      a kill -9 of this script can leave mounts visible on the host; processes such a kill
#      leaves in the roots are ended at the start of the next run. One run at a time per WORK
#      (flock on WORK.lock).
# Exit status: 0 when every step passed (WARN does not fail), 1 when a step failed, 2 on usage or
# environment errors, 128+N when interrupted by signal N.
#
# Environment: PROVE_MIRROR / PROVE_SECURITY_MIRROR (default: from the host's apt sources),
# PROVE_TEST_TIMEOUT (s, default 3600) for step d, PROVE_SETUP_TIMEOUT (s, default 1800) for h,
# PROVE_APP_WAIT (s, default 25) for h, PROVE_NO_UNSHARE=1 to mount in the host's namespace.
#
# Re-run from scratch:  sudo scripts/prove_quickstart.sh        (about 3-5 minutes, mostly downloads)
set -uo pipefail
shopt -s nullglob

SELF="$(readlink -f "${BASH_SOURCE[0]}")"
SCRIPT_DIR="$(dirname "$SELF")"
ORIG_ARGS=("$@")

BASE_TAR=/srv/bare-bookworm.tar
WORK=/srv/prove-quickstart
REF=HEAD
REPO=""
REBUILD=0
KEEP=0
USER_INSTALL=1
HOST_CA=1
VERBOSE=0
TEST_TIMEOUT="${PROVE_TEST_TIMEOUT:-3600}"
SETUP_TIMEOUT="${PROVE_SETUP_TIMEOUT:-1800}"
APP_WAIT="${PROVE_APP_WAIT:-25}"
ROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
USER_PATH=/usr/local/bin:/usr/bin:/bin
USER_NAME=qa

say() { printf 'prove: %s\n' "$*"; }
warn() { printf 'prove: warning: %s\n' "$*" >&2; }
die() { printf 'prove: error: %s\n' "$*" >&2; exit 2; }
usage() { sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$SELF"; }

while (($#)); do
    case "$1" in
        --ref) REF="${2:?--ref needs a value}"; shift 2 ;;
        --base) BASE_TAR="${2:?--base needs a value}"; shift 2 ;;
        --work) WORK="${2:?--work needs a value}"; shift 2 ;;
        --rebuild-base) REBUILD=1; shift ;;
        --keep) KEEP=1; shift ;;
        --no-user-install) USER_INSTALL=0; shift ;;
        --no-host-ca) HOST_CA=0; shift ;;
        -v|--verbose) VERBOSE=1; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) [[ -z $REPO ]] || die "only one REPO may be given"; REPO="$1"; shift ;;
    esac
done

# ----------------------------------------------------------------------------- sanity checks
[[ $(id -u) == 0 ]] || die "must run as root (it uses debootstrap, chroot and mount)"
for tool in chroot mount umount tar git awk timeout sha256sum readlink; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is missing on this host"
done
WORK="$(readlink -m "$WORK")"
BASE_TAR="$(readlink -m "$BASE_TAR")"
[[ $BASE_TAR == *.tar ]] || die "--base must name a .tar file"
BASE_DIR="${BASE_TAR%.tar}"
for p in "$WORK" "$BASE_DIR"; do
    [[ $p =~ ^/[A-Za-z0-9._/+-]+$ ]] || die "'$p': use a plain absolute path (no blanks or odd characters)"
    [[ $p =~ ^/[^/]+/[^/]+ || $p =~ ^/srv/[^/]+ ]] || die "'$p' is too close to / to be used as a work folder"
done
case "$WORK" in /|/bin*|/boot*|/dev*|/etc*|/lib*|/proc*|/root|/sbin*|/sys*|/usr*|/var) die "refusing work folder $WORK" ;; esac
ROOT_A="$WORK/root-a"
ROOT_B="$WORK/root-b"
LOGS="$WORK/logs"

if [[ -z $REPO ]]; then
    REPO="$(git -c safe.directory='*' -C "$SCRIPT_DIR" rev-parse --show-toplevel 2>/dev/null)" \
        || die "cannot find the git repository of $SELF; pass REPO"
fi
REPO="$(readlink -f "$REPO")"
COMMIT="$(git -c safe.directory='*' -C "$REPO" rev-parse --verify --quiet "$REF^{commit}")" \
    || die "'$REF' is not a commit in $REPO"
[[ $(git -c safe.directory='*' -C "$REPO" cat-file -t "$COMMIT:quickstart.sh" 2>/dev/null) == blob ]] \
    || die "commit $COMMIT of $REPO has no quickstart.sh"

# ----------------------------------------------------------------------------- mount helpers
mounts_under() { # every mount point at or below $1, deepest first
    awk -v p="$1" '{ m = $5; gsub(/\\040/, " ", m); if (m == p || index(m, p "/") == 1) print m }' \
        /proc/self/mountinfo | sort -r
}

kill_procs_under() { # end every process whose root directory is $1 or below it (started by us)
    local root="$1" d r pids=() i
    for d in /proc/[0-9]*; do
        r="$(readlink "$d/root" 2>/dev/null)" || continue
        [[ $r == "$root" || $r == "$root"/* ]] || continue
        [[ ${d#/proc/} == "$$" || ${d#/proc/} == "$BASHPID" ]] && continue
        pids+=("${d#/proc/}")
    done
    ((${#pids[@]})) || return 0
    say "ending ${#pids[@]} process(es) left in $root: ${pids[*]}"
    kill -TERM "${pids[@]}" 2>/dev/null
    for ((i = 0; i < 50; i++)); do
        kill -0 "${pids[@]}" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "${pids[@]}" 2>/dev/null
    sleep 0.2
    return 0
}

unmount_all() { # unmount everything at or below $1; 0 when nothing is left mounted
    local root="$1" m try list
    for ((try = 0; try < 5; try++)); do
        list="$(mounts_under "$root")"
        [[ -z $list ]] && return 0
        while IFS= read -r m; do
            umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
        done <<<"$list"
    done
    [[ -z $(mounts_under "$root") ]]
}

release_root() { # processes out, mounts off
    kill_procs_under "$1"
    unmount_all "$1"
}

remove_tree() { # rm -rf, but never through a mount point
    local dir="$1"
    [[ -e $dir ]] || return 0
    release_root "$dir" || { warn "cannot unmount everything below $dir; not deleting it"; return 1; }
    rm -rf --one-file-system "$dir"
}

mount_root() { # the mounts a chroot needs; every one made private so nothing propagates
    local root="$1"
    mount -t proc proc "$root/proc" 2>/dev/null || mount --bind /proc "$root/proc" || return 1
    mount --make-private "$root/proc" 2>/dev/null
    mount --bind /sys "$root/sys" || return 1
    mount --make-private "$root/sys" 2>/dev/null
    mount --bind /dev "$root/dev" || return 1
    mount --make-private "$root/dev" 2>/dev/null
    mount --bind /dev/pts "$root/dev/pts" || return 1
    mount --make-private "$root/dev/pts" 2>/dev/null
    mkdir -p "$root/dev/shm" 2>/dev/null
    mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm" || return 1
    mount --make-private "$root/dev/shm" 2>/dev/null
    rm -f "$root/etc/resolv.conf"
    cp -L /etc/resolv.conf "$root/etc/resolv.conf" || return 1
    chmod 644 "$root/etc/resolv.conf"
}

HOST_CAS=()
for f in /usr/local/share/ca-certificates/*.crt /usr/local/share/ca-certificates/*/*.crt; do
    [[ -f $f ]] && HOST_CAS+=("$f")
done

add_host_cas() { # ROOT LOG: trust the CA certificates this host added locally (see step b)
    local root="$1" log="$2" f dest
    ((HOST_CA && ${#HOST_CAS[@]})) || return 0
    dest="$root/usr/local/share/ca-certificates/prove-quickstart-host"
    mkdir -p "$dest" || return 1
    for f in "${HOST_CAS[@]}"; do cp "$f" "$dest/" || return 1; done
    chroot "$root" /usr/bin/env -i PATH="$ROOT_PATH" /usr/sbin/update-ca-certificates </dev/null >"$log" 2>&1
}
host_ca_note() {
    if ((HOST_CA && ${#HOST_CAS[@]})); then
        printf 'host CA(s) trusted: %s' "$(for f in "${HOST_CAS[@]}"; do basename "$f"; done | paste -sd' ')"
    elif ((HOST_CA)); then
        printf 'no host CA to add'
    else
        printf 'host CAs not added (--no-host-ca)'
    fi
}

# ----------------------------------------------------------------------------- private mount namespace
if [[ -z ${PROVE_IN_NS:-} ]]; then
    # One run at a time per work folder (the lock fd is inherited by the re-exec below and
    # closed for everything started inside the roots).
    if command -v flock >/dev/null 2>&1; then
        mkdir -p "$(dirname "$WORK")" && exec 9>"$WORK.lock" || die "cannot open $WORK.lock"
        flock -n 9 || die "another prove_quickstart.sh run is using $WORK"
    fi
    # Leftovers of an earlier run (e.g. one killed with -9 while PROVE_NO_UNSHARE=1) are
    # released in the host's namespace first, so that deleting them later is safe.
    for r in "$WORK" "$BASE_DIR"; do
        [[ -d $r ]] && { release_root "$r" || die "cannot unmount the leftovers below $r"; }
    done
    if [[ ${PROVE_NO_UNSHARE:-0} != 1 ]] && command -v unshare >/dev/null 2>&1 \
        && unshare --mount --propagation private -- true 2>/dev/null; then
        export PROVE_IN_NS=1
        exec unshare --mount --propagation private -- /bin/bash "$SELF" "${ORIG_ARGS[@]}"
    fi
    [[ ${PROVE_NO_UNSHARE:-0} == 1 ]] || warn "no private mount namespace (unshare unavailable); using the host's"
fi

# ----------------------------------------------------------------------------- results and timing
STEP_IDS=() STEP_NAMES=() STEP_RESULTS=() STEP_TIMES=() STEP_NOTES=()
DETAILS=()        # extra summary lines
FAILED=0
ROOTS=()          # trees that may hold mounts or processes: released by the EXIT trap
TAIL_PID=""
RUN_START=$EPOCHREALTIME

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
record() { # id name result seconds note
    STEP_IDS+=("$1"); STEP_NAMES+=("$2"); STEP_RESULTS+=("$3"); STEP_TIMES+=("$4"); STEP_NOTES+=("${5:-}")
    [[ $3 == FAIL ]] && FAILED=1
    printf 'prove: [%s] %-4s %s (%ss)%s\n' "$1" "$3" "$2" "$4" "${5:+ - $5}"
}
show_log() { # file [lines]
    local n="${2:-60}"
    printf -- '----- last %s lines of %s -----\n' "$n" "$1"
    tail -n "$n" "$1"
    printf -- '----- end of %s -----\n' "$1"
}

print_summary() {
    local i total
    total="$(secs "$RUN_START" "$EPOCHREALTIME")"
    printf '\n================ prove_quickstart summary ================\n'
    printf 'repo    %s @ %s (%s)\n' "$REPO" "${COMMIT:0:12}" "$REF"
    printf 'base    %s\n' "$BASE_TAR"
    printf 'logs    %s\n\n' "$LOGS"
    printf '%-3s %-66s %-5s %8s  %s\n' step what result seconds note
    for i in "${!STEP_IDS[@]}"; do
        printf '%-3s %-66s %-5s %8s  %s\n' "${STEP_IDS[i]}" "${STEP_NAMES[i]}" "${STEP_RESULTS[i]}" \
            "${STEP_TIMES[i]}" "${STEP_NOTES[i]}"
    done
    if ((${#DETAILS[@]})); then
        printf '\n'
        printf '%s\n' "${DETAILS[@]}"
    fi
    printf '\ntotal %ss; result: %s\n' "$total" "$([[ $FAILED == 0 ]] && echo PASS || echo FAIL)"
}

on_exit() {
    local rc=$? r t0 ok=1 left kept
    trap - EXIT INT TERM HUP
    [[ -n $TAIL_PID ]] && kill "$TAIL_PID" 2>/dev/null
    t0=$EPOCHREALTIME
    for r in "${ROOTS[@]}"; do
        release_root "$r" || ok=0
    done
    left="$(mounts_under "$WORK"; mounts_under "$BASE_DIR")"
    if [[ $ok == 1 && -z $left ]]; then
        record z "clean-up: processes ended, all mounts removed" PASS "$(secs "$t0" "$EPOCHREALTIME")" \
            "verified in /proc/self/mountinfo"
    else
        record z "clean-up: processes ended, all mounts removed" FAIL "$(secs "$t0" "$EPOCHREALTIME")" \
            "still mounted: $(tr '\n' ' ' <<<"$left")"
    fi
    if [[ $rc -ge 128 ]]; then
        FAILED=1
        DETAILS+=("interrupted (exit $rc): the proof is incomplete")
    fi
    if [[ $FAILED == 0 && $KEEP == 0 ]]; then
        for r in "$ROOT_A" "$ROOT_B"; do remove_tree "$r"; done
        DETAILS+=("roots deleted (use --keep to keep them)")
    else
        kept=()
        for r in "$ROOT_A" "$ROOT_B"; do [[ -d $r ]] && kept+=("$r"); done
        ((${#kept[@]})) && DETAILS+=("roots kept for inspection: ${kept[*]} (deleted by the next run)")
    fi
    if [[ -d $LOGS ]]; then
        print_summary | tee "$LOGS/summary.txt"
    else
        print_summary
    fi
    if ((rc >= 128)); then exit "$rc"; fi
    ((rc == 2)) && exit 2
    exit "$FAILED"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ----------------------------------------------------------------------------- running inside a root
# start_in_root LOG LIMIT ROOT WHO SCRIPT: runs SCRIPT with bash in a clean environment inside ROOT,
# stdin /dev/null, stdout+stderr to LOG; WHO is "root" or "uid:gid:name:home". Sets RUN_PID.
start_in_root() {
    local log="$1" limit="$2" root="$3" who="$4" script="$5" uid gid name home
    local -a cmd
    if [[ $who == root ]]; then
        cmd=(chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash
             PATH="$ROOT_PATH" /bin/bash -c "$script")
    else
        IFS=: read -r uid gid name home <<<"$who"
        cmd=(chroot --userspec="$uid:$gid" --groups="$gid" "$root" /usr/bin/env -i HOME="$home"
             USER="$name" LOGNAME="$name" SHELL=/bin/bash PATH="$USER_PATH" /bin/bash -c "$script")
    fi
    ((limit > 0)) && cmd=(timeout --kill-after=30 "$limit" "${cmd[@]}")
    : >"$log"
    : >"$log.marks"
    "${cmd[@]}" </dev/null >"$log" 2>&1 9>&- &
    RUN_PID=$!
    TAIL_PID=""
    if ((VERBOSE)); then
        tail -n +1 -f --pid="$RUN_PID" "$log" &
        TAIL_PID=$!
    fi
}

alive() { # a child that has exited but is not waited for yet counts as gone
    local s
    s="$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$1/stat" 2>/dev/null)" || return 1
    [[ -n $s && $s != Z && $s != X ]]
}

MARKS_SEEN=0
grab_marks() { # appends new "quickstart: ..." lines of LOG with the time they were first seen
    local log="$1" i
    local -a lines
    mapfile -t lines < <(grep -a '^quickstart: ' "$log" 2>/dev/null)
    for ((i = MARKS_SEEN; i < ${#lines[@]}; i++)); do
        printf '%s\t%s\n' "$EPOCHREALTIME" "${lines[i]}" >>"$log.marks"
    done
    MARKS_SEEN=${#lines[@]}
}

# watch LOG PID [MARKER [DEADLINE_EPOCH]]: polls until PID is gone, or MARKER was printed (0),
# or the deadline passed (3). Returns 1 when the process ended without MARKER.
watch() {
    local log="$1" pid="$2" marker="${3:-}" deadline="${4:-}"
    MARKS_SEEN=0
    while :; do
        grab_marks "$log"
        if [[ -n $marker ]] && grep -aq -- "$marker" "$log.marks"; then return 0; fi
        alive "$pid" || { grab_marks "$log"; [[ -n $marker ]] && grep -aq -- "$marker" "$log.marks" && return 0; return 1; }
        if [[ -n $deadline ]] && (( ${EPOCHREALTIME%.*} >= deadline )); then return 3; fi
        sleep 0.5
    done
}

finish() { # wait for RUN_PID (and the verbose tail); returns its exit code
    local rc
    wait "$RUN_PID"; rc=$?
    if [[ -n $TAIL_PID ]]; then wait "$TAIL_PID" 2>/dev/null; TAIL_PID=""; fi
    return "$rc"
}

run_in_root() { # LOG LIMIT ROOT WHO SCRIPT -> exit code of SCRIPT
    start_in_root "$@"
    watch "$1" "$RUN_PID"
    finish
}

mark_time() { # LOG.marks PATTERN -> epoch of the first mark matching PATTERN (empty if none)
    awk -F'\t' -v p="$2" 'index($2, p) == 1 { print $1; exit }' "$1"
}

timeline() { # LOG START -> the quickstart: lines with their time since START
    awk -F'\t' -v s="$2" '{ printf "      +%6.1fs  %s\n", $1 - s, $2 }' "$1.marks"
}

export_tree() { # DEST: the committed tree of REPO@COMMIT
    local dest="$1" rc
    mkdir -p "$dest" || return 1
    git -c safe.directory='*' -C "$REPO" archive --format=tar "$COMMIT" | tar -x -C "$dest"
    rc=("${PIPESTATUS[@]}")
    [[ ${rc[0]} == 0 && ${rc[1]} == 0 && -x $dest/quickstart.sh ]]
}

restore_root() { # DEST: a fresh copy of the pristine root
    local dest="$1"
    remove_tree "$dest" || return 1
    mkdir -p "$dest" && tar --numeric-owner --xattrs --acls -xpf "$BASE_TAR" -C "$dest"
}

# ----------------------------------------------------------------------------- the pristine base
detect_mirror() { # $1: regex the path must match
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' "$f"
    done | grep -E "$1" | head -n 1 && return 0
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f $f ]] || continue
        sed -nE 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\2/p' "$f"
    done | grep -E "$1" | head -n 1
}

build_base() {
    local t0=$EPOCHREALTIME mirror security log="$LOGS/base-build.log"
    command -v debootstrap >/dev/null 2>&1 || die "debootstrap is missing (apt-get install debootstrap)"
    mirror="${PROVE_MIRROR:-$(detect_mirror '/debian/?$')}"
    mirror="${mirror:-http://deb.debian.org/debian}"
    security="${PROVE_SECURITY_MIRROR:-$(detect_mirror '/debian-security/?$')}"
    security="${security:-http://deb.debian.org/debian-security}"
    say "building the pristine bare root $BASE_DIR from $mirror (log: $log)"
    ROOTS+=("$BASE_DIR")
    remove_tree "$BASE_DIR" || die "cannot clear $BASE_DIR"
    if ! debootstrap --variant=minbase --include=python3,ca-certificates bookworm "$BASE_DIR" "$mirror" \
        >"$log" 2>&1; then
        show_log "$log" 30
        record 0 "build pristine root with debootstrap" FAIL "$(secs "$t0" "$EPOCHREALTIME")"
        exit 1
    fi
    rm -f "$BASE_DIR/etc/apt/sources.list"
    cat >"$BASE_DIR/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: ${mirror%/}
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${security%/}
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    # What the Debian installer writes and minbase lacks.
    printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\nff02::1\t\tip6-allnodes\nff02::2\t\tip6-allrouters\n' \
        >"$BASE_DIR/etc/hosts"
    echo bookworm-bare >"$BASE_DIR/etc/hostname"
    # Security and point-release updates, as a fresh install has; then an empty apt cache/lists
    # as in a fresh Debian 12 image.
    mount_root "$BASE_DIR" || die "cannot mount into $BASE_DIR"
    if ! chroot "$BASE_DIR" /usr/bin/env -i PATH="$ROOT_PATH" HOME=/root DEBIAN_FRONTEND=noninteractive \
        /bin/bash -c 'apt-get update -q && apt-get -y -q upgrade && apt-get clean && rm -rf /var/lib/apt/lists/*' \
        </dev/null >>"$log" 2>&1; then
        show_log "$log" 30
        record 0 "build pristine root with debootstrap" FAIL "$(secs "$t0" "$EPOCHREALTIME")"
        exit 1
    fi
    release_root "$BASE_DIR" || die "cannot unmount below $BASE_DIR"
    : >"$BASE_DIR/etc/resolv.conf"
    rm -f "$BASE_TAR.tmp"
    (cd "$BASE_DIR" && tar --numeric-owner --xattrs --acls -cf "$BASE_TAR.tmp" .) && mv "$BASE_TAR.tmp" "$BASE_TAR" \
        || die "cannot write $BASE_TAR"
    record 0 "build pristine root with debootstrap (minbase+python3)" PASS "$(secs "$t0" "$EPOCHREALTIME")" \
        "$BASE_TAR"
}

# ============================================================================= main
say "repo $REPO, commit ${COMMIT:0:12} ($REF); work folder $WORK"
dirty="$(git -c safe.directory='*' -C "$REPO" status --porcelain 2>/dev/null | wc -l)"
if [[ $REF == HEAD && $dirty != 0 ]]; then
    warn "$REPO has $dirty uncommitted/untracked path(s): they are NOT part of this proof (committed HEAD only)"
    DETAILS+=("note: $dirty uncommitted/untracked path(s) in $REPO were not part of the proof")
fi
for r in "$ROOT_A" "$ROOT_B"; do remove_tree "$r" || die "cannot delete the old $r"; done
rm -rf "$LOGS"
mkdir -p "$LOGS" || die "cannot create $LOGS"
if [[ $REBUILD == 1 || ! -f $BASE_TAR ]]; then
    build_base
fi

# --------------------------------------------------------------------- root A: root runs both commands
t=$EPOCHREALTIME
ROOTS+=("$ROOT_A")
if restore_root "$ROOT_A"; then
    record a "restore fresh copy of the pristine root (root A)" PASS "$(secs "$t" "$EPOCHREALTIME")" \
        "$(du -sh "$ROOT_A" 2>/dev/null | cut -f1)"
else
    record a "restore fresh copy of the pristine root (root A)" FAIL "$(secs "$t" "$EPOCHREALTIME")"
    exit 1
fi

t=$EPOCHREALTIME
if mount_root "$ROOT_A" && add_host_cas "$ROOT_A" "$LOGS/b-host-ca-a.log"; then
    record b "mount /proc /sys /dev /dev/pts (+/dev/shm), resolv.conf" PASS "$(secs "$t" "$EPOCHREALTIME")" \
        "$(host_ca_note)"
else
    record b "mount /proc /sys /dev /dev/pts (+/dev/shm), resolv.conf" FAIL "$(secs "$t" "$EPOCHREALTIME")"
    exit 1
fi

t=$EPOCHREALTIME
if export_tree "$ROOT_A/root/qa-desk"; then
    record c "copy committed tree to /root/qa-desk (git archive)" PASS "$(secs "$t" "$EPOCHREALTIME")" \
        "${COMMIT:0:12}"
else
    record c "copy committed tree to /root/qa-desk (git archive)" FAIL "$(secs "$t" "$EPOCHREALTIME")"
    exit 1
fi

# d: CI=true ./quickstart.sh test
LOG_D="$LOGS/d-quickstart-test.log"
say "d: chroot (root): cd /root/qa-desk && CI=true ./quickstart.sh test   (log: $LOG_D)"
t=$EPOCHREALTIME
run_in_root "$LOG_D" "$TEST_TIMEOUT" "$ROOT_A" root 'cd /root/qa-desk && CI=true ./quickstart.sh test'
rc_d=$?
t_end=$EPOCHREALTIME
t_tests="$(mark_time "$LOG_D.marks" 'quickstart: running the tests')"
installed="$(sed -nE 's/^quickstart: installing Debian packages: //p' "$LOG_D" | head -n 1)"
apt_count="$(grep -aE '^[0-9]+ upgraded, [0-9]+ newly installed' "$LOG_D" | head -n 1)"
DETAILS+=("d  timeline of ./quickstart.sh test (exit $rc_d):")
while IFS= read -r l; do DETAILS+=("$l"); done < <(timeline "$LOG_D" "$t")
[[ -n $installed ]] && DETAILS+=("d  the bare system lacked (quickstart.sh test installed): $installed" \
                                 "   apt: ${apt_count:-?}")
if [[ -n $t_tests ]]; then
    record d1 "quickstart test: set-up (apt, venv, pip) as root" PASS "$(secs "$t" "$t_tests")" \
        "${installed:+apt: ${installed%% *} ... ($(wc -w <<<"$installed") pkgs)}"
    summary_line="$(grep -aE '^=+ .*( in [0-9.]+s| no tests ran).*=+$' "$LOG_D" | tail -n 1 | sed -E 's/^=+ //; s/ =+$//')"
    if [[ $rc_d == 0 ]]; then
        record d2 "quickstart test: pytest" PASS "$(secs "$t_tests" "$t_end")" "$summary_line"
    else
        note="exit $rc_d${summary_line:+: $summary_line}"
        ((rc_d == 124 || rc_d == 137)) && note="host limit ${TEST_TIMEOUT}s hit (exit $rc_d)"
        record d2 "quickstart test: pytest" FAIL "$(secs "$t_tests" "$t_end")" "$note"
        sed -n '/short test summary info/,$p' "$LOG_D" | head -n 60
        [[ -n $(sed -n '/short test summary info/,$p' "$LOG_D") ]] || show_log "$LOG_D" 40
    fi
else
    record d1 "quickstart test: set-up (apt, venv, pip) as root" FAIL "$(secs "$t" "$t_end")" \
        "exit $rc_d before the tests started"
    record d2 "quickstart test: pytest" FAIL 0.0 "not reached"
    show_log "$LOG_D" 60
fi

# e: the app, as root, offscreen, timeout 25
LOG_E="$LOGS/e-quickstart-app.log"
say "e: chroot (root): cd /root/qa-desk && QT_QPA_PLATFORM=offscreen timeout 25 ./quickstart.sh   (log: $LOG_E)"
t=$EPOCHREALTIME
run_in_root "$LOG_E" 0 "$ROOT_A" root 'cd /root/qa-desk && QT_QPA_PLATFORM=offscreen timeout 25 ./quickstart.sh'
rc_e=$?
if [[ $rc_e == 124 ]] && grep -aq '^quickstart: starting QA Desk' "$LOG_E"; then
    record e "quickstart (app) as root: still running after 25 s" PASS "$(secs "$t" "$EPOCHREALTIME")" "exit 124"
else
    if [[ $rc_e == 124 ]]; then
        note="exit 124 but 'starting QA Desk' never printed (set-up still running?)"
    else
        note="exit $rc_e: $(grep -av '^[[:space:]]*$' "$LOG_E" | tail -n 1 | cut -c1-100)"
    fi
    record e "quickstart (app) as root: still running after 25 s" FAIL "$(secs "$t" "$EPOCHREALTIME")" "$note"
    show_log "$LOG_E" 80
fi

t=$EPOCHREALTIME
if release_root "$ROOT_A"; then
    record a- "root A: processes ended, unmounted" PASS "$(secs "$t" "$EPOCHREALTIME")"
else
    record a- "root A: processes ended, unmounted" FAIL "$(secs "$t" "$EPOCHREALTIME")" \
        "$(mounts_under "$ROOT_A" | tr '\n' ' ')"
fi

# --------------------------------------------------------------------- root B: a normal user
t=$EPOCHREALTIME
ROOTS+=("$ROOT_B")
if ! restore_root "$ROOT_B" || ! mount_root "$ROOT_B" || ! add_host_cas "$ROOT_B" "$LOGS/f0-host-ca-b.log"; then
    record f0 "root B: restore pristine root, mount, useradd $USER_NAME" FAIL "$(secs "$t" "$EPOCHREALTIME")"
    exit 1
fi
LOG_U="$LOGS/f0-useradd.log"
if ! run_in_root "$LOG_U" 60 "$ROOT_B" root "useradd --create-home --shell /bin/bash $USER_NAME"; then
    record f0 "root B: restore pristine root, mount, useradd $USER_NAME" FAIL "$(secs "$t" "$EPOCHREALTIME")"
    show_log "$LOG_U" 20
    exit 1
fi
uid="$(awk -F: -v u="$USER_NAME" '$1 == u { print $3 }' "$ROOT_B/etc/passwd")"
gid="$(awk -F: -v u="$USER_NAME" '$1 == u { print $4 }' "$ROOT_B/etc/passwd")"
home="$(awk -F: -v u="$USER_NAME" '$1 == u { print $6 }' "$ROOT_B/etc/passwd")"
WHO="$uid:$gid:$USER_NAME:$home"
if ! export_tree "$ROOT_B$home/qa-desk" || ! chown -R "$uid:$gid" "$ROOT_B$home/qa-desk"; then
    record f0 "root B: restore pristine root, mount, useradd $USER_NAME" FAIL "$(secs "$t" "$EPOCHREALTIME")" \
        "cannot copy the tree"
    exit 1
fi
record f0 "root B: restore pristine root, mount, useradd $USER_NAME, copy tree" PASS "$(secs "$t" "$EPOCHREALTIME")" \
    "uid $uid, $home/qa-desk"

# f: the user is told what to install, nothing is installed
LOG_F="$LOGS/f-user-quickstart.log"
say "f: chroot (user $USER_NAME): cd ~/qa-desk && ./quickstart.sh   (log: $LOG_F)"
t=$EPOCHREALTIME
dpkg_before="$(sha256sum <"$ROOT_B/var/lib/dpkg/status")"
run_in_root "$LOG_F" 300 "$ROOT_B" "$WHO" 'cd ~/qa-desk && ./quickstart.sh'
rc_f=$?
dpkg_after="$(sha256sum <"$ROOT_B/var/lib/dpkg/status")"
sudo_line="$(grep -aE '^[[:space:]]*sudo apt-get install -y ' "$LOG_F" | head -n 1 | sed -E 's/^[[:space:]]+//')"
problems=()
[[ $rc_f == 1 ]] || problems+=("exit $rc_f (want 1)")
[[ -n $sudo_line ]] || problems+=("no 'sudo apt-get install -y' line")
[[ $dpkg_before == "$dpkg_after" ]] || problems+=("dpkg database changed")
[[ ! -e $ROOT_B$home/qa-desk/.venv ]] || problems+=(".venv was created")
if ((${#problems[@]} == 0)); then
    record f "non-root: exit 1 + 'sudo apt-get install -y', nothing installed" PASS "$(secs "$t" "$EPOCHREALTIME")" \
        "$(($(wc -w <<<"$sudo_line") - 4)) pkgs listed"
    DETAILS+=("f  printed for the user: $sudo_line")
    if grep -aqE '^[[:space:]]+sudo apt-get install -y ' "$LOG_F"; then
        DETAILS+=("   (the line is printed indented by 4 blanks: '    sudo apt-get install -y ...')")
    fi
else
    record f "non-root: exit 1 + 'sudo apt-get install -y', nothing installed" FAIL "$(secs "$t" "$EPOCHREALTIME")" \
        "$(IFS=';'; echo "${problems[*]}")"
    show_log "$LOG_F" 40
fi

# g + h: the user follows the instructions and starts the app
if [[ $USER_INSTALL == 1 && -n $sudo_line ]]; then
    LOG_G="$LOGS/g-root-installs-printed.log"
    install_cmd="${sudo_line#sudo }"
    say "g: chroot (root): $install_cmd   (log: $LOG_G)"
    t=$EPOCHREALTIME
    run_in_root "$LOG_G" 1800 "$ROOT_B" root "$install_cmd"
    rc_g=$?
    if [[ $rc_g == 0 ]]; then
        record g "root runs the printed command (without sudo)" PASS "$(secs "$t" "$EPOCHREALTIME")"
    else
        err="$(grep -aE '^E: ' "$LOG_G" | head -n 1 | cut -c1-90)"
        record g "root runs the printed command (without sudo), as printed" WARN "$(secs "$t" "$EPOCHREALTIME")" \
            "exit $rc_g: ${err:-see $LOG_G}"
        DETAILS+=("g  the printed command failed as printed on this fresh root (exit $rc_g): ${err:-see $LOG_G}" \
                  "   retried as: apt-get update && $install_cmd")
        LOG_G2="$LOGS/g2-root-update-and-install.log"
        t=$EPOCHREALTIME
        run_in_root "$LOG_G2" 1800 "$ROOT_B" root "apt-get update && $install_cmd"
        rc_g2=$?
        if [[ $rc_g2 == 0 ]]; then
            record g2 "root runs apt-get update && the printed command" PASS "$(secs "$t" "$EPOCHREALTIME")"
        else
            record g2 "root runs apt-get update && the printed command" FAIL "$(secs "$t" "$EPOCHREALTIME")" "exit $rc_g2"
            show_log "$LOG_G2" 30
        fi
    fi

    LOG_H="$LOGS/h-user-quickstart-app.log"
    say "h: chroot (user $USER_NAME): cd ~/qa-desk && QT_QPA_PLATFORM=offscreen ./quickstart.sh, alive ${APP_WAIT}s after start   (log: $LOG_H)"
    t=$EPOCHREALTIME
    start_in_root "$LOG_H" 0 "$ROOT_B" "$WHO" 'cd ~/qa-desk && QT_QPA_PLATFORM=offscreen exec ./quickstart.sh'
    watch "$LOG_H" "$RUN_PID" 'quickstart: starting QA Desk' $(( ${EPOCHREALTIME%.*} + SETUP_TIMEOUT ))
    w=$?
    t_start="$(mark_time "$LOG_H.marks" 'quickstart: starting QA Desk')"
    DETAILS+=("h  timeline of the user's ./quickstart.sh:")
    result=FAIL note=""
    if [[ $w == 0 ]]; then
        for ((i = 0; i < APP_WAIT * 10; i++)); do alive "$RUN_PID" || break; sleep 0.1; done
        if alive "$RUN_PID"; then
            result=PASS note="set-up $(secs "$t" "$t_start")s, then still running after ${APP_WAIT}s"
        else
            note="the app ended within ${APP_WAIT}s"
        fi
    elif [[ $w == 3 ]]; then
        note="no 'starting QA Desk' within ${SETUP_TIMEOUT}s"
    else
        note="ended before 'starting QA Desk'"
    fi
    if alive "$RUN_PID"; then
        kill -TERM "$RUN_PID" 2>/dev/null
        for ((i = 0; i < 100; i++)); do alive "$RUN_PID" || break; sleep 0.1; done
        alive "$RUN_PID" && kill -KILL "$RUN_PID" 2>/dev/null
    fi
    finish
    rc_h=$?
    [[ $result == FAIL ]] && note="$note (exit $rc_h)"
    while IFS= read -r l; do DETAILS+=("$l"); done < <(timeline "$LOG_H" "$t")
    record h "non-root after install: quickstart (app) from scratch" "$result" "$(secs "$t" "$EPOCHREALTIME")" "$note"
    [[ $result == PASS ]] || show_log "$LOG_H" 80
elif [[ $USER_INSTALL == 1 ]]; then
    record g "root runs the printed command (without sudo)" FAIL 0.0 "no command was printed in f"
fi

t=$EPOCHREALTIME
if release_root "$ROOT_B"; then
    record b- "root B: processes ended, unmounted" PASS "$(secs "$t" "$EPOCHREALTIME")"
else
    record b- "root B: processes ended, unmounted" FAIL "$(secs "$t" "$EPOCHREALTIME")" \
        "$(mounts_under "$ROOT_B" | tr '\n' ' ')"
fi
exit "$FAILED"
