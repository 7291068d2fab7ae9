"""Runs a command in a real pseudo-terminal and plays a script of (wait-for-text, keys) steps.

Usage: python3 pty-run.py '<json>' where json = {"argv": [...], "cwd": "...", "steps": [["text", ["key", ...]], ...],
"timeout": seconds, "columns": width (default 100), "env": {extra variables}}. Prints one JSON line: {"exit": code or null, "signal": n or null, "screen": "..."}.
Used by the interactive tests to prove the CLI prompts on a real terminal and cancels cleanly on Ctrl-C.
"""
import fcntl, json, os, pty, re, select, struct, sys, termios, time

spec = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    # A real terminal size (rows, columns): without it the prompts wrap at width zero.
    columns = spec.get("columns", 100)
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    os.chdir(spec["cwd"])
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(columns), LINES="40", **spec.get("env", {}))
    env.pop("CI", None)
    os.execvpe(spec["argv"][0], spec["argv"], env)

screen = b""
deadline = time.time() + spec.get("timeout", 20)
ansi = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")

def pump(wait):
    global screen
    ready, _, _ = select.select([fd], [], [], wait)
    if ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        screen += data
    return True

for text, keys in spec["steps"]:
    while text.encode() not in ansi.sub(b"", screen):
        if time.time() > deadline or not pump(0.05):
            break
    for key in keys:
        os.write(fd, key.encode())
        time.sleep(0.05)

while time.time() < deadline and pump(0.1):
    pass
# A CLI still waiting for input at the deadline is killed (the test then fails on its exit) rather than waited for.
done, status = os.waitpid(pid, os.WNOHANG)
if done == 0:
    os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
result = {
    "raw": screen.decode("utf-8", "replace"),
    "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
    "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
    "screen": ansi.sub(b"", screen).decode("utf-8", "replace"),
}
print(json.dumps(result))
