"""Grade through the Gradescope bundle in a real container, confined like Docker's defaults.

``make container-check`` (as root) runs this. It is not part of ``make test``: it needs root,
podman and runc from Debian's packages, and a few minutes.

What it does:

1. Builds the bundle (``lstm-course gradescope``) and lays out ``/autograder`` as Gradescope
   does: ``source/`` unpacked from the zip, and ``venv/`` as ``setup.sh`` would make it (a
   virtual environment whose ``course`` is the bundle's copy; its libraries are this
   project's, since the machine has no internet for ``pip``).
2. Starts one container with podman and runc, as root, with **Docker's default seccomp
   profile** (moby's ``profiles/seccomp/default.json``) and **Docker's default capability
   set**, no network, and the host's files as a throw-away overlay root.
3. Inside it (``--inside``): listens on a loopback port, plants a secret in root's home,
   then runs ``/autograder/run_autograder`` on four submissions in this order: one that
   rewrites the grader (tampering), one with a bug (the read-out without its sigmoid),
   a hostile one (connects to the listener, writes in ``/tmp``, ``/var/tmp`` and
   ``/dev/shm``, rewrites site-packages, leaves a daemon, reads the secret), and the
   reference (correct).
4. Prints the isolation level each run reached, the scores, and whether anything escaped:
   the grader's files changed, a connection reached the listener, a file appeared in
   ``/tmp``, ``/var/tmp`` or ``/dev/shm``, the secret appeared in a results file, or a
   process of the hostile submission was still running. Exit 0 when the correct one has
   full marks, the buggy one less, and nothing escaped; else 1.

``--no-sandbox`` builds the bundle with ``--no-sandbox``: a check of this harness itself,
which must then report the hostile submission's escapes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "hostile"))

#: Docker's default seccomp profile as Debian ships it: moby's ``profiles/seccomp/default.json``
#: in golang-github-docker-docker-dev (the moby source of docker.io 20.10). docker.io itself
#: compiles the profile into its binary and ships no file; podman's own profile
#: (``/usr/share/containers/seccomp.json``) is derived from it but allows user namespaces.
DOCKER_PACKAGE = "golang-github-docker-docker-dev"
DOCKER_PROFILE = "/usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json"
#: Docker's default capabilities (moby ``oci/caps/defaults.go``): no CAP_SYS_ADMIN.
DOCKER_CAPABILITIES: tuple[str, ...] = (
    "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP",
    "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
)
#: The order of the submissions: the tampering one before the buggy one, so a grader it
#: rewrote would show as a buggy submission's full marks.
ORDER: tuple[str, ...] = ("tampering", "buggy", "hostile", "correct")
#: Where the container sees the autograder tree, and what the hostile submission targets.
ROOT = "/autograder"
LOOPBACK_PORT = 47_613
SECRET_PATH = "/root/.lstm-course-container-secret"
DAEMON_TOKEN = "lstm-course-container-daemon"
WATCHED_DIRS: tuple[str, ...] = ("/tmp", "/var/tmp", "/dev/shm")
ESCAPE_TARGETS: tuple[str, ...] = ("/tmp/lstm-course-escape", "/var/tmp/lstm-course-escape",
                                   "/dev/shm/lstm-course-escape", "/root/lstm-course-escape")


# ----------------------------------------------------------------------------- host side


def submissions(out: Path) -> dict[str, Path]:
    """Build the four submissions from the reference and the hostile corpus's edits.

    Args:
        out: Path, an empty folder.

    Returns:
        dict of name (:data:`ORDER`) to folder.
    """
    import corpus

    values = {"__LOOPBACK_PORT__": str(LOOPBACK_PORT), "__OUTSIDE_TARGETS__": repr(list(ESCAPE_TARGETS)),
              "__SECRET_PATH__": SECRET_PATH, "__DAEMON_TOKEN__": DAEMON_TOKEN}
    bug = corpus.Edit("model.py", replace=((corpus.MODEL_BUG_OLD, corpus.MODEL_BUG_NEW),))
    hostile_code = corpus.LOOPBACK + corpus.WRITE_OUTSIDE + corpus.REWRITE_SITE_PACKAGES + corpus.DAEMON
    plans = {
        "tampering": (corpus.Edit("model.py", append=corpus.REWRITE_GRADER), bug),
        "buggy": (bug,),
        "hostile": (corpus.Edit("model.py", append=hostile_code + corpus.HOME_SECRET),),
        "correct": (),
    }
    built = {}
    for name, edits in plans.items():
        folder = out / name
        shutil.copytree(corpus.SOLUTIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
        for edit in edits:
            edit.apply(folder)
        for file in folder.glob("*.py"):
            text = file.read_text()
            for placeholder, value in values.items():
                text = text.replace(placeholder, value)
            file.write_text(text)
        built[name] = folder
    return built


def base_python() -> str:
    """The Python that the autograder's venv is made from: the system's, as on Gradescope's image.

    Gradescope's ``setup.sh`` makes its venv from the image's ``/usr/bin/python3``, which every
    uid can run. This project's own Python may live in root's home (mode 0700 here), which a
    part's throwaway uid cannot enter, so a venv made from it could never reach ``landlock+uid``.
    The system's Python is used when its minor version matches this one (the libraries come
    from this environment); otherwise this interpreter, and the check may reach a weaker level.

    Returns:
        str, the interpreter's path.
    """
    system = Path("/usr/bin/python3")
    if system.exists():
        done = subprocess.run([str(system), "-c", "import sys; print(sys.version_info[:2])"],
                              capture_output=True, text=True)
        if done.stdout.strip() == str(sys.version_info[:2]):
            return str(system)
    return sys.executable


def autograder_tree(root: Path, *, no_sandbox: bool) -> None:
    """Lay out ``/autograder`` as Gradescope and ``setup.sh`` would, at ``root`` on the host.

    Args:
        root: Path, the folder mounted at ``/autograder`` in the container.
        no_sandbox: bool, build the bundle with ``--no-sandbox``.
    """
    bundle = root / "autograder.zip"
    command = [str(REPO / ".venv" / "bin" / "lstm-course"), "gradescope", "--out", str(bundle)]
    subprocess.run(command + (["--no-sandbox"] if no_sandbox else []), check=True, stdout=subprocess.DEVNULL)
    sys.path.insert(0, str(REPO))
    from course.grading.outputs.gradescope import extract

    extract(bundle, root / "source")
    # setup.sh's venv: `pip install -e /autograder/source/lstm-course` into a fresh venv. Offline,
    # the libraries come from this project's venv through a .pth line (not its .pth files, so
    # not its editable install), and the course from the bundle's copy, at its container path.
    subprocess.run([base_python(), "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    python = root / "venv" / "bin" / "python"
    site_packages = Path(subprocess.run([str(python), "-c", "import site; print(site.getsitepackages()[0])"],
                                        capture_output=True, text=True, check=True).stdout.strip())
    import site

    (site_packages / "project_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    (site_packages / "course_copy.pth").write_text(f"{ROOT}/source/lstm-course\n")


def seccomp_profile(explicit: str | None, work: Path) -> Path:
    """Docker's default seccomp profile (or the one given), fetched from Debian's package if need be.

    Args:
        explicit: str or None, a profile given on the command line.
        work: Path, where a downloaded package is unpacked.

    Returns:
        Path.

    Raises:
        SystemExit: none found.
    """
    if explicit:
        return Path(explicit)
    if Path(DOCKER_PROFILE).is_file():
        return Path(DOCKER_PROFILE)
    # Installing the package pulls in hundreds of Go sources; its one JSON file is enough.
    subprocess.run(["apt-get", "download", DOCKER_PACKAGE], cwd=work, capture_output=True)
    for deb in work.glob(f"{DOCKER_PACKAGE}_*.deb"):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(work / "deb")], check=True)
        unpacked = work / "deb" / DOCKER_PROFILE.lstrip("/")
        if unpacked.is_file():
            return unpacked
    raise SystemExit(f"Docker's seccomp profile not found: apt-get install {DOCKER_PACKAGE}, or pass --seccomp FILE")


def podman_command(root: Path, profile: Path, inner: list[str]) -> list[str]:
    """The podman line: root, Docker's seccomp profile and capabilities, no network, host overlay.

    Args:
        root: Path, the host folder mounted at ``/autograder``.
        profile: Path, the seccomp profile.
        inner: list of str, the command run in the container.

    Returns:
        list of str.
    """
    return ["podman", "--runtime", "runc", "run", "--rm", "--cgroup-manager=cgroupfs", "--network=none",
            "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=4096:4096",
            "--security-opt", f"seccomp={profile}", "--cap-drop=all",
            *(f"--cap-add={cap}" for cap in DOCKER_CAPABILITIES),
            # A container's own /tmp and /var/tmp, as an image gives it (the overlay's lower layer
            # is the live host, where other processes write); /dev/shm is the container's already.
            "--tmpfs", "/tmp", "--tmpfs", "/var/tmp",
            "--volume", f"{root}:{ROOT}", "--env", "HOME=/root", "--workdir", ROOT, "--rootfs", "/:O", *inner]


def tree_hash(folder: Path) -> str:
    """SHA-256 of every file's path and bytes under ``folder``.

    Args:
        folder: Path.

    Returns:
        str, hex digest.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def report(root: Path, grader_before: str, venv_before: str) -> int:
    """Print the levels, scores and escapes, and judge them.

    Args:
        root: Path, the host's ``/autograder``.
        grader_before: str, the bundle's source hash before grading.
        venv_before: str, the venv's hash before grading.

    Returns:
        0 when the correct submission has full marks, the buggy one less, and nothing escaped; else 1.
    """
    found = json.loads((root / "check" / "inside.json").read_text())
    scores = {}
    print(f"{'submission':<10} {'level':<12} {'score':>11}  note")
    for name in ORDER:
        results = json.loads((root / "check" / f"{name}.json").read_text())
        extra = results.get("extra_data") or {}
        level = extra.get("isolation") or (found["levels"].get(name) or "?").split()[0]
        scores[name] = (float(results.get("score", 0)), float(results.get("max_score") or 0))
        note = extra.get("reason", "") or extra.get("status", "")
        note = note.split("could not start a sandbox here: ")[-1].split(". Grade on")[0]  # the runtime's own words
        print(f"{name:<10} {level:<12} {scores[name][0]:>5g} / {scores[name][1]:<3g}  {note[:110]}")
    escapes = list(found["escapes"])
    if tree_hash(root / "source") != grader_before:
        escapes.append("the bundle's source (the grader) changed")
    if tree_hash(root / "venv") != venv_before:
        escapes.append("the autograder's venv changed")
    leaked = [n for n in ORDER if found["secret"] in (root / "check" / f"{n}.json").read_text()]
    escapes += [f"the secret of root's home appears in {n}'s results" for n in leaked]
    print("escapes: " + ("none (grader and venv unchanged; no connection to the loopback listener; nothing new in "
                         "/tmp, /var/tmp or /dev/shm; the home secret in no result; no process left running)"
                         if not escapes else "; ".join(escapes)))
    correct, buggy = scores["correct"], scores["buggy"]
    verdicts = {"correct at full marks": correct[1] > 0 and correct[0] >= correct[1],
                "buggy below full marks": buggy[1] > 0 and buggy[0] < buggy[1],
                "nothing escaped": not escapes}
    for label, ok in verdicts.items():
        print(f"{'PASS' if ok else 'FAIL'}: {label}")
    return 0 if all(verdicts.values()) else 1


def host_main(args: argparse.Namespace) -> int:
    """Build everything, run the container, report.

    Args:
        args: parsed arguments.

    Returns:
        The exit code.
    """
    if os.geteuid() != 0:
        raise SystemExit("run as root (the container check starts a rootful podman container)")
    if not shutil.which("podman") or not shutil.which("runc"):
        raise SystemExit("install the runtime first: apt-get install -y podman runc")
    work = Path(tempfile.mkdtemp(prefix="lstm-container-check-"))
    profile = seccomp_profile(args.seccomp, work)
    root = work / "autograder"
    root.mkdir()
    try:
        autograder_tree(root, no_sandbox=args.no_sandbox)
        for name, folder in submissions(root / "check" / "submissions").items():
            assert name in ORDER, name
        grader_before, venv_before = tree_hash(root / "source"), tree_hash(root / "venv")
        inner = [f"{ROOT}/venv/bin/python", "-I", f"{ROOT}/check/container_check.py", "--inside"]
        shutil.copy(Path(__file__), root / "check" / "container_check.py")
        print(f"seccomp profile: {profile}")
        print(f"capabilities: {','.join(DOCKER_CAPABILITIES)} (Docker's defaults); network: none; runtime: runc")
        started = time.monotonic()
        done = subprocess.run(podman_command(root, profile, inner), text=True, capture_output=True)
        print(f"container ran {time.monotonic() - started:.0f} s, exit {done.returncode}")
        if done.returncode != 0 or not (root / "check" / "inside.json").exists():
            print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
            return 1
        for line in done.stdout.splitlines():
            print(f"  | {line}")
        return report(root, grader_before, venv_before)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


# ----------------------------------------------------------------------------- container side


def listen(port: int, hits: list[str]) -> None:
    """Accept connections on 127.0.0.1:``port`` for ever, recording each (a daemon thread).

    Args:
        port: int.
        hits: list of str, appended to on every connection.
    """
    server = socket.create_server(("127.0.0.1", port))
    while True:
        connection, address = server.accept()
        hits.append(f"a connection from {address[0]}:{address[1]} reached the loopback listener")
        connection.close()


def snapshot() -> set[str]:
    """Every path under :data:`WATCHED_DIRS` (what a submission might leave behind).

    Returns:
        set of str.
    """
    paths = set()
    for top in WATCHED_DIRS:
        for folder, dirs, files in os.walk(top):
            paths.update(os.path.join(folder, n) for n in (*dirs, *files))
    return paths


def inside_main() -> int:
    """Run ``run_autograder`` on every submission inside the container and record what escaped.

    Returns:
        0.
    """
    check = Path(ROOT) / "check"
    hits: list[str] = []
    threading.Thread(target=listen, args=(LOOPBACK_PORT, hits), daemon=True).start()
    secret = f"container-secret-{os.urandom(8).hex()}"
    Path(SECRET_PATH).write_text(secret)
    before, levels = snapshot(), {}
    for name in ORDER:
        shutil.rmtree(Path(ROOT) / "submission", ignore_errors=True)
        shutil.rmtree(Path(ROOT) / "results", ignore_errors=True)
        shutil.copytree(check / "submissions" / name, Path(ROOT) / "submission")
        done = subprocess.run([f"{ROOT}/source/run_autograder"], capture_output=True, text=True)
        (check / f"{name}.log").write_text(done.stdout + done.stderr)
        shutil.copy(Path(ROOT) / "results" / "results.json", check / f"{name}.json")
        levels[name] = next((line.split(":", 1)[1].strip() for line in done.stdout.splitlines()
                             if line.startswith("isolation:")), "")
        print(f"{name}: run_autograder's first line: {(done.stdout.strip().splitlines() or [''])[0][:120]}")
    time.sleep(1)
    escapes = list(hits)
    escapes += [f"{path} appeared" for path in sorted(snapshot() - before)]
    import psutil

    escapes += [f"process {p.pid} is still running: {' '.join(p.info['cmdline'])[:80]}"
                for p in psutil.process_iter(["cmdline"]) if DAEMON_TOKEN in " ".join(p.info["cmdline"] or [])]
    (check / "inside.json").write_text(json.dumps({"escapes": escapes, "secret": secret, "levels": levels}))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and run the host or the container side.

    Args:
        argv: list of str or None.

    Returns:
        The exit code.
    """
    parser = argparse.ArgumentParser(prog="tools/container_check.py", description=__doc__.splitlines()[0])
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seccomp", help=f"seccomp profile (default: Docker's, from Debian's {DOCKER_PACKAGE})")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="bundle with --no-sandbox: checks this harness, which must then report escapes")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs and results)")
    args = parser.parse_args(argv)
    return inside_main() if args.inside else host_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
