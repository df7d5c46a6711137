#!/usr/bin/python3
"""Run perfgate's CI templates as GitHub Actions and GitLab CI would, on this
machine, for tests/e2e/test_ci_templates.sh: the shell steps are taken from
the YAML files themselves, so a template that drifts from perfgate's
command line fails the tests.

    ci_templates.py github WORKFLOW --origin REPO --work DIR --event NAME
            [--ref REF] [--sha SHA] [--base BRANCH] [--head BRANCH] [--pr N]
            [--var K=V] [--secret K=V] [--with STEP_ID.INPUT=V]
            [--stub-step ID[:OUT=V,...]] [--run-id N] [--run-attempt N]
            [--artifacts DIR] --action-dir DIR --result FILE
    ci_templates.py gitlab CI_FILE --origin REPO --work DIR --source NAME [--server-url URL]
            [--ref REF] [--sha SHA] [--target BRANCH] [--mr N] [--var K=V]
            --include-root DIR --result FILE
    ci_templates.py extract FILE... --out DIR   (every run:/script: block)
    ci_templates.py static FILE...               (the templates' rules)

What is emulated, and how:
- GitHub: the workflow's `on:` (event and branch filters), jobs in `needs`
  order, matrix expansion, `env:` at every level, `if:`, `${{ }}`
  expressions (contexts github, inputs, steps, matrix, secrets, vars,
  env, runner, strategy; operators ! == != && || and parentheses; the
  functions always, success, failure, cancelled, contains, startsWith,
  endsWith, format), `run:` steps under `bash --noprofile --norc -eo
  pipefail` (GitHub's `shell: bash`) with GITHUB_OUTPUT, GITHUB_ENV and
  GITHUB_STEP_SUMMARY files, the composite action (its inputs, steps and
  outputs; a run: step of it without `shell:` is an error, as on GitHub).
  actions/checkout clones the origin (all branches with fetch-depth 0,
  else that depth) into the workspace or its `path:` and checks out the
  event's commit;
  actions/upload-artifact (v4) collects the files its `path:` names,
  relative to their least common ancestor, into the run's artifacts
  (--artifacts: a re-run, --run-attempt N, passes the earlier attempt's);
  a name the run has already fails the step, as v4's 409 Conflict does,
  unless `overwrite: true` replaces it. Steps named with
  --stub-step are not run (the apt and make steps: linted, and run by the
  real CI) but checked to be what they claim, and given the outputs named.
- GitLab: `include:` (project/local files mapped into --include-root),
  jobs merged by name across files, `extends:` (deep merge), `rules:` with
  `if:` ($VAR, "strings", == != && || and parentheses), `variables:`
  (global, job, then --var like project variables, which win; $VAR
  references expanded), `parallel:` (CI_NODE_INDEX/CI_NODE_TOTAL),
  `needs:` (the needed jobs' artifacts extracted into the job's project
  unless `artifacts: false`), the runner's checkout (GIT_DEPTH; a merge request pipeline
  fetches only the merge request's ref), before_script and script run as
  one `bash -eo pipefail` script as the runner does (lines that run apt or
  make are skipped, and counted), artifacts (the files of its paths,
  reports), and
  `allow_failure: exit_codes`.

Anything else a template uses is an error (exit 2), never silently
ignored. Exit status: 0 the pipeline passed, 1 a job failed, 2 an error of
the emulator or of a template's structure.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys

import yaml


class TemplateError(Exception):
    pass


def die(msg):
    raise TemplateError(msg)


def load_yaml(path):
    with open(path) as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict):
        die("%s: not a mapping" % path)
    return doc


# ------------------------------------------------------------ GitHub expressions

TOKEN = re.compile(r"""\s*(?:
    (?P<str>'(?:[^']|'')*')
  | (?P<num>-?\d+(?:\.\d+)?)
  | (?P<op>==|!=|<=|>=|&&|\|\||[!<>(),.\[\]])
  | (?P<id>[A-Za-z_][A-Za-z0-9_-]*)
)""", re.X)


def tokenize(text):
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = TOKEN.match(text, pos)
        if not m:
            die("cannot parse expression %r at %r" % (text, text[pos:]))
        pos = m.end()
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
    return out


def gh_str(v):
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    return str(v)


def gh_truthy(v):
    return not (v is None or v is False or v == 0 or v == "")


def gh_num(v):
    if v is None:
        return 0
    if isinstance(v, bool):
        return 1 if v else 0
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        if v.strip() == "":
            return 0
        try:
            return float(v)
        except ValueError:
            return float("nan")
    return float("nan")


def gh_eq(a, b):
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()
    if type(a) is type(b) and not isinstance(a, (int, float)):
        return a == b
    return gh_num(a) == gh_num(b)


def gh_get(obj, key):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if str(k).casefold() == str(key).casefold():
                return v
    return None


class Expr:
    """A GitHub Actions expression over `ctx` (a dict of contexts) and
    `status` (the job's status for success()/failure())."""

    def __init__(self, text, ctx, status):
        self.toks = tokenize(text)
        self.i = 0
        self.ctx = ctx
        self.status = status
        self.text = text

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, value=None):
        t = self.peek()
        if value is not None and t[1] != value:
            die("expression %r: expected %r" % (self.text, value))
        self.i += 1
        return t

    def run(self):
        v = self.or_()
        if self.i != len(self.toks):
            die("expression %r: unexpected %r" % (self.text, self.peek()[1]))
        return v

    def or_(self):
        v = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            r = self.and_()
            v = v if gh_truthy(v) else r
        return v

    def and_(self):
        v = self.eq()
        while self.peek() == ("op", "&&"):
            self.take()
            r = self.eq()
            v = r if gh_truthy(v) else v
        return v

    def eq(self):
        v = self.unary()
        while self.peek()[1] in ("==", "!="):
            op = self.take()[1]
            r = self.unary()
            v = gh_eq(v, r) if op == "==" else not gh_eq(v, r)
        return v

    def unary(self):
        if self.peek() == ("op", "!"):
            self.take()
            return not gh_truthy(self.unary())
        return self.postfix()

    def postfix(self):
        v = self.primary()
        while True:
            t = self.peek()
            if t == ("op", "."):
                self.take()
                kind, name = self.take()
                if kind != "id":
                    die("expression %r: a property name after '.'" % self.text)
                v = gh_get(v, name)
            elif t == ("op", "["):
                self.take()
                k = self.or_()
                self.take("]")
                v = gh_get(v, gh_str(k)) if isinstance(v, dict) else (
                    v[int(gh_num(k))] if isinstance(v, list) else None)
            else:
                return v

    def primary(self):
        kind, val = self.take()
        if kind == "str":
            return val[1:-1].replace("''", "'")
        if kind == "num":
            return float(val) if "." in val else int(val)
        if kind == "op" and val == "(":
            v = self.or_()
            self.take(")")
            return v
        if kind != "id":
            die("expression %r: unexpected %r" % (self.text, val))
        if val in ("true", "false"):
            return val == "true"
        if val == "null":
            return None
        if self.peek() == ("op", "("):
            self.take()
            args = []
            if self.peek() != ("op", ")"):
                args.append(self.or_())
                while self.peek() == ("op", ","):
                    self.take()
                    args.append(self.or_())
            self.take(")")
            return self.call(val, args)
        if val not in self.ctx:
            die("expression %r: unknown context %r" % (self.text, val))
        return self.ctx[val]

    def call(self, name, args):
        n = name.lower()
        if n == "always":
            return True
        if n == "success":
            return self.status == "success"
        if n == "failure":
            return self.status == "failure"
        if n == "cancelled":
            return False
        if n == "contains":
            hay, needle = args
            if isinstance(hay, list):
                return any(gh_eq(x, needle) for x in hay)
            return gh_str(needle).casefold() in gh_str(hay).casefold()
        if n == "startswith":
            return gh_str(args[0]).casefold().startswith(gh_str(args[1]).casefold())
        if n == "endswith":
            return gh_str(args[0]).casefold().endswith(gh_str(args[1]).casefold())
        if n == "format":
            return re.sub(r"\{(\d+)\}", lambda m: gh_str(args[1 + int(m.group(1))]), args[0])
        die("expression: unsupported function %s()" % name)


INTERP = re.compile(r"\$\{\{(.*?)\}\}", re.S)


def gh_eval(text, ctx, status="success"):
    return Expr(text, ctx, status).run()


def gh_interp(value, ctx, status="success"):
    """Replace every ${{ }} in a string (recursively in lists and dicts)."""
    if isinstance(value, dict):
        return {k: gh_interp(v, ctx, status) for k, v in value.items()}
    if isinstance(value, list):
        return [gh_interp(v, ctx, status) for v in value]
    if not isinstance(value, str):
        return gh_str(value)
    m = INTERP.fullmatch(value.strip())
    if m and value.strip() == value:
        return gh_str(gh_eval(m.group(1), ctx, status))
    return INTERP.sub(lambda m: gh_str(gh_eval(m.group(1), ctx, status)), value)


def gh_condition(cond, ctx, status):
    """A step's if: (bare or wrapped); status functions default to success()."""
    if cond is None:
        return status == "success"
    if isinstance(cond, bool):
        return cond
    text = str(cond).strip()
    m = INTERP.fullmatch(text)
    if m:
        text = m.group(1)
    if not re.search(r"\b(always|success|failure|cancelled)\s*\(", text):
        text = "success() && (%s)" % text
    return gh_truthy(gh_eval(text, ctx, status))


# ------------------------------------------------------------ processes and git

def base_env():
    """The environment a job starts from: this one, less any CI variables."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "CI_", "GITLAB_", "RUNNER_", "INPUT_"))}
    env.pop("CI", None)
    return env


def git(args, cwd=None):
    r = subprocess.run(["git"] + args, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        die("git %s: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout.strip()


def log(msg):
    print(msg, flush=True)


def run_script(script, shell, cwd, env, logfile):
    """Run a script file under `shell` (a list); its output to the log and
    to our stdout. Returns the exit status."""
    with open(logfile, "a") as lf:
        p = subprocess.run(shell + [script], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lf.write(p.stdout)
    for line in p.stdout.splitlines():
        log("    | " + line)
    return p.returncode


def parse_output_file(path):
    """GITHUB_OUTPUT / GITHUB_ENV: name=value and name<<DELIM ... DELIM."""
    out = {}
    if not os.path.exists(path):
        return out
    lines = open(path).read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            body = []
            while i < len(lines) and lines[i] != delim:
                body.append(lines[i])
                i += 1
            i += 1
            out[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
        else:
            die("%s: malformed line %r" % (path, line))
    return out


# ------------------------------------------------------------ GitHub

class GitHubRun:
    def __init__(self, a):
        self.a = a
        self.work = os.path.abspath(a.work)
        os.makedirs(self.work, exist_ok=True)
        self.vars = dict(kv.split("=", 1) for kv in a.var)
        self.secrets = dict(kv.split("=", 1) for kv in a.secret)
        self.secrets.setdefault("GITHUB_TOKEN", "ghs_fake_token")
        self.stubs = {}
        for s in a.stub_step:
            sid, _, outs = s.partition(":")
            self.stubs[sid] = dict(kv.split("=", 1) for kv in outs.split(",") if kv)
        # the run's artifacts, one folder each: a re-run (--run-attempt 2)
        # of the same run sees those of its earlier attempts
        self.artifacts_dir = os.path.abspath(a.artifacts or os.path.join(self.work, "artifacts"))
        os.makedirs(self.artifacts_dir, exist_ok=True)
        self.result = {"workflow": a.file, "event": a.event, "triggered": False, "jobs": {},
                       "run_attempt": a.run_attempt}
        self.repo = a.repository
        self.run_id = a.run_id

    # -- the event
    def triggered(self, wf):
        on = wf.get("on", wf.get(True))
        if on is None:
            die("%s: no 'on:'" % self.a.file)
        if isinstance(on, str):
            on = {on: None}
        elif isinstance(on, list):
            on = {k: None for k in on}
        if self.a.event not in on:
            return False
        spec = on[self.a.event] or {}
        if self.a.event == "schedule":
            if not isinstance(spec, list) or not all("cron" in c for c in spec):
                die("schedule: needs a list of cron entries")
            return True
        branches = spec.get("branches") if isinstance(spec, dict) else None
        if branches is not None:
            branch = self.a.base if self.a.event == "pull_request" else self.a.ref
            return any(re.fullmatch(b.replace("*", "[^/]*"), branch) for b in branches)
        return True

    def github_ctx(self, job):
        a = self.a
        event = {}
        if a.event == "pull_request":
            event = {"pull_request": {"number": a.pr, "base": {"ref": a.base},
                                      "head": {"ref": a.head, "sha": a.head_sha}}}
        ref = ("refs/pull/%s/merge" % a.pr) if a.event == "pull_request" else "refs/heads/" + a.ref
        return {
            "event_name": a.event, "event": event, "sha": a.sha, "ref": ref,
            "ref_name": ref.split("/", 2)[2] if a.event != "pull_request" else "%s/merge" % a.pr,
            "head_ref": a.head if a.event == "pull_request" else "",
            "base_ref": a.base if a.event == "pull_request" else "",
            "repository": self.repo, "run_id": self.run_id, "run_attempt": self.a.run_attempt,
            "token": self.secrets["GITHUB_TOKEN"], "job": job, "workspace": "",
            "action_path": "",
        }

    def run(self):
        wf = load_yaml(self.a.file)
        if not self.triggered(wf):
            log("workflow %s: not triggered by %s" % (self.a.file, self.a.event))
            return 0
        self.result["triggered"] = True
        jobs = wf.get("jobs") or die("no jobs")
        order, done = [], set()
        while len(order) < len(jobs):
            progress = False
            for name, job in jobs.items():
                needs = job.get("needs") or []
                needs = [needs] if isinstance(needs, str) else needs
                if name not in done and all(n in done for n in needs):
                    order.append(name)
                    done.add(name)
                    progress = True
            if not progress:
                die("jobs: a cycle in needs")
        failed = False
        for name in order:
            job = jobs[name]
            needs = job.get("needs") or []
            needs = [needs] if isinstance(needs, str) else needs
            if any(self.result["jobs"][n]["status"] != "success" for n in needs):
                self.result["jobs"][name] = {"status": "skipped", "instances": []}
                continue
            status = self.run_job(wf, name, job)
            failed = failed or status != "success"
        return 1 if failed else 0

    def run_job(self, wf, name, job):
        unknown = set(job) - {"runs-on", "timeout-minutes", "env", "steps", "needs",
                              "strategy", "permissions", "name"}
        if unknown:
            die("job %s: unsupported keys %s" % (name, sorted(unknown)))
        matrix = (job.get("strategy") or {}).get("matrix")
        combos = [{}]
        if matrix:
            if set(matrix) & {"include", "exclude"}:
                die("job %s: matrix include/exclude is not emulated" % name)
            for key, values in matrix.items():
                combos = [dict(c, **{key: v}) for c in combos for v in values]
        res = {"status": "success", "instances": []}
        for idx, combo in enumerate(combos):
            inst = self.run_instance(wf, name, job, idx, combo, len(combos))
            res["instances"].append(inst)
            if inst["status"] != "success":
                res["status"] = "failure"
        self.result["jobs"][name] = res
        return res["status"]

    def run_instance(self, wf, name, job, idx, combo, total):
        label = name + ("-%d" % (idx + 1) if total > 1 else "")
        log("job %s%s" % (name, " " + json.dumps(combo) if combo else ""))
        root = os.path.join(self.work, label)
        workspace = os.path.join(root, self.repo.split("/")[-1])
        temp = os.path.join(root, "_temp")
        os.makedirs(workspace, exist_ok=True)
        os.makedirs(temp, exist_ok=True)
        gh = self.github_ctx(name)
        gh["workspace"] = workspace
        ctx = {"github": gh, "secrets": self.secrets, "vars": self.vars, "matrix": combo,
               "strategy": {"job-index": idx, "job-total": total}, "runner":
               {"temp": temp, "os": "Linux", "arch": "X64"}, "env": {}, "steps": {},
               "inputs": {}, "job": {"status": "success"}, "needs": {}}
        env = base_env()
        env.update({"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": self.a.event,
                    "GITHUB_SHA": self.a.sha, "GITHUB_REF": gh["ref"],
                    "GITHUB_REF_NAME": gh["ref_name"], "GITHUB_HEAD_REF": gh["head_ref"],
                    "GITHUB_BASE_REF": gh["base_ref"], "GITHUB_REPOSITORY": self.repo,
                    "GITHUB_RUN_ID": self.run_id, "GITHUB_RUN_ATTEMPT": self.a.run_attempt,
                    "GITHUB_WORKSPACE": workspace, "GITHUB_JOB": name,
                    "RUNNER_TEMP": temp, "RUNNER_OS": "Linux"})
        event_path = os.path.join(temp, "event.json")
        json.dump(gh["event"], open(event_path, "w"))
        env["GITHUB_EVENT_PATH"] = event_path
        for level in (wf.get("env") or {}, job.get("env") or {}):
            for k, v in level.items():
                env[k] = gh_interp(v, ctx)
                ctx["env"][k] = env[k]
        inst = {"name": label, "matrix": combo, "status": "success", "steps": [],
                "workspace": workspace, "summary": os.path.join(root, "summary.md"),
                "log": os.path.join(root, "log.txt"), "env_secrets": sorted(
                    k for k, v in env.items() if v and v in self.secrets.values())}
        open(inst["summary"], "w").close()
        state = {"status": "success"}
        self.run_steps(job.get("steps") or [], ctx, env, workspace, root, inst, state,
                       action_dir=None)
        inst["status"] = state["status"]
        log("job %s: %s" % (label, inst["status"]))
        return inst

    def run_steps(self, steps, ctx, env, workspace, root, inst, state, action_dir):
        for n, step in enumerate(steps):
            sid = step.get("id") or "step%d" % n
            rec = {"id": sid, "name": step.get("name") or step.get("uses") or sid,
                   "outcome": "skipped", "outputs": {}, "in_action": bool(action_dir)}
            inst["steps"].append(rec)
            ctx["job"]["status"] = state["status"]
            if not gh_condition(step.get("if"), ctx, state["status"]):
                ctx["steps"][sid] = {"outputs": {}, "outcome": "skipped",
                                     "conclusion": "skipped"}
                continue
            step_env = dict(env)
            for k, v in (step.get("env") or {}).items():
                step_env[k] = gh_interp(v, ctx, state["status"])
            senv_ctx = dict(ctx, env=dict(ctx["env"], **{k: step_env[k]
                                                          for k in (step.get("env") or {})}))
            if action_dir:
                step_env["GITHUB_ACTION_PATH"] = action_dir
            ok = True
            if "uses" in step:
                ok = self.uses(step, senv_ctx, step_env, workspace, root, inst, state, rec)
            elif "run" in step:
                ok = self.run_step(step, sid, senv_ctx, step_env, workspace, root, inst, rec,
                                   state, env)
            else:
                die("step %s: neither run: nor uses:" % sid)
            rec["outcome"] = "success" if ok else "failure"
            ctx["steps"][sid] = {"outputs": rec["outputs"], "outcome": rec["outcome"],
                                 "conclusion": rec["outcome"]}
            if not ok:
                state["status"] = "failure"

    def run_step(self, step, sid, ctx, step_env, workspace, root, inst, rec, state, env):
        if rec["in_action"] and "shell" not in step:
            # a workflow's run: step defaults to bash; a composite action's must say
            die("action step %s: a composite action's run: step needs shell:" % sid)
        shell = step.get("shell", "bash")
        if shell != "bash":
            die("step %s: shell %r is not emulated" % (sid, shell))
        script_text = step["run"]
        if sid in self.stubs and rec["in_action"]:
            want = {"deps": "install-deps.sh", "build": "make "}.get(sid)
            if not want or want not in script_text:
                die("step %s is stubbed but does not run %r" % (sid, want))
            rec["outputs"] = dict(self.stubs[sid])
            rec["stubbed"] = True
            log("  step %s: not run (stub)" % sid)
            return True
        cwd = workspace
        if step.get("working-directory"):
            cwd = os.path.normpath(os.path.join(workspace, gh_interp(
                step["working-directory"], ctx, state["status"])))
        base = os.path.join(root, "step-%d" % len(inst["steps"]))
        files = {"GITHUB_OUTPUT": base + ".output", "GITHUB_ENV": base + ".env",
                 "GITHUB_STEP_SUMMARY": base + ".summary", "GITHUB_PATH": base + ".path"}
        for k, path in files.items():
            open(path, "w").close()
            step_env[k] = path
        script = base + ".sh"
        with open(script, "w") as f:
            f.write(gh_interp(script_text, ctx, state["status"]))
        log("  step %s (%s)" % (sid, rec["name"]))
        rc = run_script(script, ["bash", "--noprofile", "--norc", "-eo", "pipefail"], cwd,
                        step_env, inst["log"])
        rec["exit_code"] = rc
        rec["outputs"] = parse_output_file(files["GITHUB_OUTPUT"])
        for k, v in parse_output_file(files["GITHUB_ENV"]).items():
            env[k] = v
            ctx["env"][k] = v
        with open(inst["summary"], "a") as out:
            out.write(open(files["GITHUB_STEP_SUMMARY"]).read())
        return rc == 0

    def uses(self, step, ctx, env, workspace, root, inst, state, rec):
        uses = step["uses"]
        with_ = gh_interp(step.get("with") or {}, ctx, state["status"])
        if re.fullmatch(r"actions/checkout@v\d+", uses):
            rec["workspace"] = workspace
            return self.checkout(with_, workspace, rec)
        if re.fullmatch(r"actions/upload-artifact@v\d+", uses):
            return self.upload(with_, workspace, rec)
        if uses.startswith("./") and uses.rstrip("/").endswith("ci-templates/github") or \
                re.fullmatch(r"[^/]+/[^/]+/ci-templates/github@.+", uses):
            return self.composite(step, with_, ctx, env, workspace, root, inst, state, rec)
        die("uses: %s is not emulated" % uses)

    def checkout(self, with_, workspace, rec):
        unknown = set(with_) - {"fetch-depth", "path"}
        if unknown:
            die("actions/checkout: unsupported inputs %s" % sorted(unknown))
        depth = int(with_.get("fetch-depth", "1") or 1)
        if with_.get("path"):
            # path: where the repository goes, below the workspace
            workspace = os.path.normpath(os.path.join(workspace, with_["path"]))
            if not workspace.startswith(rec["workspace"] + os.sep):
                die("actions/checkout: path %r is outside the workspace" % with_["path"])
            os.makedirs(workspace)
        ref = ("refs/pull/%s/merge" % self.a.pr) if self.a.event == "pull_request" \
            else "refs/heads/" + self.a.ref
        origin = "file://" + os.path.abspath(self.a.origin)
        git(["init", "-q", workspace])
        git(["remote", "add", "origin", origin], cwd=workspace)
        if depth == 0:
            # all branches and tags, then the event's ref (as actions/checkout)
            git(["fetch", "-q", "--tags", "origin", "+refs/heads/*:refs/remotes/origin/*"],
                cwd=workspace)
            git(["fetch", "-q", "origin", "+%s:refs/remotes/origin/event" % ref],
                cwd=workspace)
        else:
            git(["fetch", "-q", "--depth", str(depth), "origin",
                 "+%s:refs/remotes/origin/event" % ref], cwd=workspace)
        sha = git(["rev-parse", "refs/remotes/origin/event"], cwd=workspace)
        if sha != self.a.sha:
            die("checkout: %s is %s, the event says %s" % (ref, sha, self.a.sha))
        if self.a.event == "pull_request":
            git(["checkout", "-q", "--detach", sha], cwd=workspace)
        else:
            git(["checkout", "-q", "-B", self.a.ref, sha], cwd=workspace)
        rec["checkout"] = {"depth": depth, "sha": sha, "path": workspace}
        log("  checkout %s (%s, fetch-depth %d)" % (ref, sha[:7], depth))
        return True

    def upload(self, with_, workspace, rec):
        unknown = set(with_) - {"name", "path", "if-no-files-found", "retention-days",
                                "overwrite"}
        if unknown:
            die("actions/upload-artifact: unsupported inputs %s" % sorted(unknown))
        name = with_.get("name") or "artifact"
        overwrite = with_.get("overwrite", "false")
        if overwrite not in ("true", "false"):
            die("actions/upload-artifact: overwrite %r" % overwrite)
        files, roots = [], []
        for pattern in (with_.get("path") or "").splitlines():
            pattern = pattern.strip()
            if not pattern:
                continue
            p = os.path.normpath(pattern if os.path.isabs(pattern)
                                 else os.path.join(workspace, pattern))
            # the search path's root: up to its first wildcard, a file's folder
            literal = re.split(r"[*?\[]", p, maxsplit=1)[0]
            root = literal if literal == p else os.path.dirname(literal)
            roots.append(root if os.path.isdir(root) else os.path.dirname(root))
            for hit in glob.glob(p, recursive=True):
                if os.path.isdir(hit):
                    for d, _, fs in os.walk(hit):
                        files += [os.path.join(d, f) for f in fs]
                else:
                    files.append(hit)
        policy = with_.get("if-no-files-found", "warn")
        if not files and policy == "error":
            return False
        days = with_.get("retention-days")
        if days and not 1 <= int(days) <= 90:
            die("actions/upload-artifact: retention-days %s" % days)
        dest = os.path.join(self.artifacts_dir, name)
        if os.path.exists(dest):
            if overwrite != "true":
                # v4: artifacts are immutable within a workflow run, re-runs included
                log("    | Error: Failed to CreateArtifact: Received non-retryable error: "
                    "Failed request: (409) Conflict: an artifact with this name already "
                    "exists on the workflow run")
                rec["artifact"] = {"name": name, "conflict": True}
                return False
            shutil.rmtree(dest)
        # v4 keeps the paths below the least common ancestor of the search paths
        top = os.path.commonpath(roots) if roots else workspace
        rel = sorted(set(os.path.relpath(f, top) for f in files))
        for r in rel:
            os.makedirs(os.path.dirname(os.path.join(dest, r)), exist_ok=True)
            shutil.copy(os.path.join(top, r), os.path.join(dest, r))
        os.makedirs(dest, exist_ok=True)
        rec["artifact"] = {"name": name, "files": rel, "retention-days": days,
                           "overwrite": overwrite == "true"}
        log("  upload-artifact %s: %s" % (name, " ".join(rel)))
        return True

    def composite(self, step, with_, ctx, env, workspace, root, inst, state, rec):
        action_dir = os.path.abspath(self.a.action_dir)
        action = load_yaml(os.path.join(action_dir, "action.yml"))
        runs = action.get("runs") or {}
        if runs.get("using") != "composite":
            die("action: not a composite action")
        inputs_spec = action.get("inputs") or {}
        unknown = set(with_) - set(inputs_spec)
        if unknown:
            die("action: unknown inputs %s" % sorted(unknown))
        overrides = {}
        for o in self.a.with_:
            key, _, value = o.partition("=")
            sid, _, inp = key.partition(".")
            if sid == (step.get("id") or "") or sid == "*":
                overrides[inp] = value
        inputs = {}
        for k, spec in inputs_spec.items():
            spec = spec or {}
            if k in overrides:
                inputs[k] = overrides[k]
            elif k in with_:
                inputs[k] = with_[k]
            else:
                inputs[k] = gh_interp(spec.get("default", ""), ctx, state["status"])
        actx = dict(ctx, inputs=inputs, steps={}, env=dict(ctx["env"]))
        ast = {"status": state["status"]}
        self.run_steps(runs.get("steps") or [], actx, env, workspace, root, inst, ast,
                       action_dir)
        rec["outputs"] = {k: gh_interp((v or {}).get("value", ""), actx, ast["status"])
                          for k, v in (action.get("outputs") or {}).items()}
        rec["inputs"] = inputs
        return ast["status"] == "success"


# ------------------------------------------------------------ GitLab

GL_RESERVED = {"stages", "variables", "include", "default", "workflow", "image", "services",
               "before_script", "after_script", "cache"}
GL_JOB_KEYS = {"extends", "image", "stage", "variables", "before_script", "script",
               "rules", "artifacts", "allow_failure", "parallel", "needs", "timeout",
               "interruptible", "resource_group", "tags"}
GL_TOKEN = re.compile(r"""\s*(?:
    (?P<var>\$\{?[A-Za-z_][A-Za-z0-9_]*\}?)
  | (?P<str>"[^"]*"|'[^']*')
  | (?P<op>==|!=|&&|\|\||[()])
  | (?P<null>null)
)""", re.X)


def deep_merge(base, over):
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = deep_merge(base[k], v) if k in base else v
        return out
    return over


def gl_expand(value, variables):
    def sub(m):
        name = m.group(1) or m.group(2)
        return variables.get(name, "")
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)", sub, value)


class GitLabRules:
    def __init__(self, text, variables):
        self.text = text
        self.vars = variables
        self.toks = []
        pos = 0
        while text[pos:].strip():
            m = GL_TOKEN.match(text, pos)
            if not m:
                die("rules: cannot parse %r at %r" % (text, text[pos:]))
            pos = m.end()
            self.toks.append((m.lastgroup, m.group(m.lastgroup)))
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def run(self):
        v = self.or_()
        if self.i != len(self.toks):
            die("rules: %r: unexpected %r" % (self.text, self.peek()[1]))
        return bool(v)

    def or_(self):
        v = self.and_()
        while self.peek() == ("op", "||"):
            self.i += 1
            r = self.and_()
            v = bool(v) or bool(r)
        return v

    def and_(self):
        v = self.cmp()
        while self.peek() == ("op", "&&"):
            self.i += 1
            r = self.cmp()
            v = bool(v) and bool(r)
        return v

    def cmp(self):
        v = self.atom()
        if self.peek()[1] in ("==", "!="):
            op = self.toks[self.i][1]
            self.i += 1
            r = self.atom()
            return (v == r) if op == "==" else (v != r)
        return v not in (None, "")

    def atom(self):
        kind, val = self.peek()
        self.i += 1
        if kind == "var":
            return self.vars.get(val.strip("${}"))
        if kind == "str":
            return val[1:-1]
        if kind == "null":
            return None
        if (kind, val) == ("op", "("):
            v = self.or_()
            if self.peek() != ("op", ")"):
                die("rules: %r: missing ')'" % self.text)
            self.i += 1
            return v
        die("rules: %r: unexpected %r" % (self.text, val))


def gl_needs(job):
    """needs: as (job name, whether its artifacts are downloaded)."""
    out = []
    for x in job.get("needs") or []:
        if isinstance(x, str):
            out.append((x, True))
        elif isinstance(x, dict) and "job" in x and not set(x) - {"job", "artifacts"}:
            if not isinstance(x.get("artifacts", True), bool):
                die("needs: artifacts: %r is not true or false" % x["artifacts"])
            out.append((x["job"], x.get("artifacts", True)))
        else:
            die("needs: unsupported %r" % x)
    return out


def gl_skipped_line(line):
    """apt and make: run by the real CI, linted here."""
    s = line.strip()
    return s.startswith("apt-get ") or "install-deps.sh" in s or s.startswith("make ")


class GitLabRun:
    def __init__(self, a):
        self.a = a
        self.work = os.path.abspath(a.work)
        os.makedirs(self.work, exist_ok=True)
        self.settings = dict(kv.split("=", 1) for kv in a.var)
        self.result = {"file": a.file, "source": a.source, "jobs": {}}

    def load(self):
        top = load_yaml(self.a.file)
        merged = {}
        includes = top.get("include") or []
        includes = [includes] if isinstance(includes, (str, dict)) else includes
        for inc in includes:
            if isinstance(inc, str):
                inc = {"local": inc}
            path = inc.get("file") or inc.get("local") or die("include: %r" % inc)
            if set(inc) - {"project", "ref", "file", "local"}:
                die("include: unsupported %r" % inc)
            doc = load_yaml(os.path.join(self.a.include_root, path.lstrip("/")))
            if "include" in doc:
                die("nested include is not emulated")
            merged = deep_merge(merged, doc)
        merged = deep_merge(merged, {k: v for k, v in top.items() if k != "include"})
        return merged

    def resolve(self, doc, name, seen=()):
        job = doc[name]
        if name in seen:
            die("extends: a cycle at %s" % name)
        ext = job.get("extends")
        if not ext:
            return dict(job)
        ext = [ext] if isinstance(ext, str) else ext
        base = {}
        for e in ext:
            if e not in doc:
                die("%s extends %s, which does not exist" % (name, e))
            base = deep_merge(base, self.resolve(doc, e, seen + (name,)))
        out = deep_merge(base, {k: v for k, v in job.items() if k != "extends"})
        return out

    def predefined(self):
        a = self.a
        v = {"CI": "true", "GITLAB_CI": "true", "CI_PIPELINE_SOURCE": a.source,
             "CI_COMMIT_SHA": a.sha, "CI_COMMIT_SHORT_SHA": a.sha[:8],
             "CI_DEFAULT_BRANCH": "main", "CI_PIPELINE_ID": a.pipeline_id,
             "CI_PROJECT_NAME": a.project.split("/")[-1], "CI_PROJECT_PATH": a.project,
             "CI_SERVER_URL": a.server_url}
        if a.source == "merge_request_event":
            v.update({"CI_MERGE_REQUEST_IID": a.mr, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME":
                      a.target, "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": a.ref,
                      "CI_COMMIT_REF_NAME": a.ref})
        else:
            v.update({"CI_COMMIT_BRANCH": a.ref, "CI_COMMIT_REF_NAME": a.ref})
        return v

    def run(self):
        doc = self.load()
        for k in doc:
            if k in GL_RESERVED and k not in ("stages", "variables"):
                die("top-level %s is not emulated" % k)
        stages = doc.get("stages") or ["build", "test", "deploy"]
        jobs = {}
        for name in doc:
            if name in GL_RESERVED or name.startswith("."):
                continue
            job = self.resolve(doc, name)
            unknown = set(job) - GL_JOB_KEYS
            if unknown:
                die("job %s: unsupported keys %s" % (name, sorted(unknown)))
            if "script" not in job:
                die("job %s: no script" % name)
            variables = self.job_variables(doc, job)
            if self.included(job, variables):
                jobs[name] = job
        self.result["selected"] = sorted(jobs)
        order = sorted(jobs, key=lambda n: stages.index(jobs[n].get("stage", "test")))
        done, final = set(), []
        while order:
            for n in list(order):
                needs = [x for x, _ in gl_needs(jobs[n])]
                if all(x in done or x not in jobs for x in needs):
                    missing = [x for x in needs if x not in jobs]
                    if missing:
                        die("job %s needs %s, which is not in the pipeline" % (n, missing))
                    final.append(n)
                    done.add(n)
                    order.remove(n)
                    break
            else:
                die("needs: a cycle")
        failed = False
        for name in final:
            job = jobs[name]
            needs = [x for x, _ in gl_needs(job)]
            if any(self.result["jobs"][x]["status"] == "failed" for x in needs):
                self.result["jobs"][name] = {"status": "skipped", "instances": []}
                continue
            n = int(job.get("parallel") or 1)
            res = {"status": "success", "instances": []}
            for k in range(1, n + 1):
                inst = self.run_job(doc, name, job, k, n)
                res["instances"].append(inst)
                if inst["status"] == "failed":
                    res["status"] = "failed"
                elif inst["status"] == "allowed-failure" and res["status"] == "success":
                    res["status"] = "allowed-failure"
            self.result["jobs"][name] = res
            failed = failed or res["status"] == "failed"
        return 1 if failed else 0

    def job_variables(self, doc, job, extra=None):
        variables = self.predefined()
        variables.update(extra or {})
        for level in (doc.get("variables") or {}, job.get("variables") or {}):
            for k, v in level.items():
                if isinstance(v, dict):
                    v = v.get("value", "")
                variables[k] = gl_expand(str(v), variables)
        variables.update(self.settings)   # project variables win
        return variables

    def included(self, job, variables):
        rules = job.get("rules")
        if rules is None:
            return True
        for r in rules:
            if set(r) - {"if", "when"}:
                die("rules: unsupported %r" % r)
            if "if" not in r or GitLabRules(r["if"], variables).run():
                return r.get("when", "on_success") != "never"
        return False

    def checkout(self, workspace, depth):
        a = self.a
        origin = "file://" + os.path.abspath(a.origin)
        git(["init", "-q", workspace])
        git(["remote", "add", "origin", origin], cwd=workspace)
        if a.source == "merge_request_event":
            specs = ["+refs/merge-requests/%s/head:refs/merge-requests/%s/head" % (a.mr, a.mr)]
        else:
            specs = ["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"]
        args = ["fetch", "-q"] + (["--depth", str(depth)] if depth > 0 else []) + ["origin"]
        git(args + specs, cwd=workspace)
        git(["checkout", "-q", "--detach", a.sha], cwd=workspace)

    def run_job(self, doc, name, job, k, n):
        label = name + (" %d/%d" % (k, n) if n > 1 else "")
        log("job %s" % label)
        root = os.path.join(self.work, name.replace("/", "_") + ("-%d" % k if n > 1 else ""))
        project_dir = os.path.join(root, self.a.project.split("/")[-1])
        os.makedirs(root, exist_ok=True)
        extra = {"CI_JOB_NAME": name, "CI_JOB_ID": str(1000 + len(self.result["jobs"]) * 10 + k),
                 "CI_PROJECT_DIR": project_dir, "CI_BUILDS_DIR": root,
                 "CI_NODE_INDEX": str(k), "CI_NODE_TOTAL": str(n)}
        variables = self.job_variables(doc, job, extra)
        depth = int(variables.get("GIT_DEPTH") or 0)
        self.checkout(project_dir, depth)
        # the artifacts of the jobs it needs (unless artifacts: false),
        # extracted into the project as the runner does
        downloaded = []
        for need, with_artifacts in gl_needs(job):
            for other in self.result["jobs"][need]["instances"] if with_artifacts else []:
                for files in other["artifacts"]["paths"].values():
                    for f in files:
                        os.makedirs(os.path.dirname(os.path.join(project_dir, f)), exist_ok=True)
                        shutil.copy(os.path.join(other["project_dir"], f),
                                    os.path.join(project_dir, f))
                        downloaded.append("%s:%s" % (other["name"], f))
        lines, skipped = [], []
        for part in ("before_script", "script"):
            for line in job.get(part) or []:
                if not isinstance(line, str):
                    die("job %s: %s holds a non-string %r" % (name, part, line))
                (skipped if gl_skipped_line(line) else lines).append(line)
        script = os.path.join(root, "script.sh")
        with open(script, "w") as f:
            f.write("set -eo pipefail\n")
            for line in lines:
                f.write(line.rstrip("\n") + "\n")
        env = base_env()
        env.update(variables)
        logfile = os.path.join(root, "log.txt")
        rc = run_script(script, ["bash", "--noprofile", "--norc"], project_dir, env, logfile)
        allowed = ((job.get("allow_failure") or {}) if isinstance(job.get("allow_failure"), dict)
                   else {}).get("exit_codes", [])
        allowed = [allowed] if isinstance(allowed, int) else allowed
        if rc == 0:
            status = "success"
        elif rc in allowed or job.get("allow_failure") is True:
            status = "allowed-failure"
        else:
            status = "failed"
        art = job.get("artifacts") or {}
        found = {}
        for p in art.get("paths") or []:
            # the files a path collects, relative to the project (as the
            # artifact's archive holds them)
            files = []
            for hit in glob.glob(os.path.join(project_dir, p)):
                if os.path.isdir(hit):
                    files += [os.path.join(d, f) for d, _, fs in os.walk(hit) for f in fs]
                else:
                    files.append(hit)
            found[p] = sorted(os.path.relpath(f, project_dir) for f in files)
        reports = {kind: os.path.join(project_dir, path)
                   for kind, path in (art.get("reports") or {}).items()}
        inst = {"name": label, "status": status, "exit_code": rc, "project_dir": project_dir,
                "downloaded": sorted(downloaded),
                "log": logfile, "skipped_lines": skipped, "ran_lines": len(lines),
                "variables": {k: v for k, v in variables.items() if k.startswith(("CI_", "GIT_"))},
                "artifacts": {"paths": found, "reports": {k: p for k, p in reports.items()
                                                          if os.path.exists(p)},
                              "expire_in": art.get("expire_in"), "when": art.get("when")}}
        log("job %s: %s (exit %d)" % (label, status, rc))
        return inst


# ------------------------------------------------------------ extract and static rules

def blocks(path):
    """(label, shell text) for every run: step and GitLab script."""
    doc = load_yaml(path)
    out = []
    if "runs" in doc:       # a composite action
        for i, s in enumerate(doc["runs"].get("steps") or []):
            if "run" in s:
                out.append(("%s-%s" % ("action", s.get("id") or i), s["run"]))
    elif "jobs" in doc:     # a workflow
        for jn, job in doc["jobs"].items():
            for i, s in enumerate(job.get("steps") or []):
                if "run" in s:
                    out.append(("%s-%s" % (jn, s.get("id") or i), s["run"]))
    else:                   # GitLab
        for jn, job in doc.items():
            if not isinstance(job, dict):
                continue
            text = []
            for part in ("before_script", "script"):
                text += job.get(part) or []
            if text:
                out.append((jn.lstrip("."), "\n".join(text)))
    return out


def cmd_extract(a):
    os.makedirs(a.out, exist_ok=True)
    n = 0
    for path in a.files:
        stem = os.path.basename(path).split(".")[0]
        for label, text in blocks(path):
            if "${{" in text:
                die("%s: %s: a ${{ }} expression inside a script (pass it through env:)"
                    % (path, label))
            with open(os.path.join(a.out, "%s-%s.sh" % (stem, label)), "w") as f:
                f.write("#!/bin/bash\n" + text + "\n")
            n += 1
    print(n)
    return 0


def walk(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, path + (str(k),))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + (str(i),))
    else:
        yield path, node


def cmd_static(a):
    problems = []
    for path in a.files:
        doc = load_yaml(path)
        for where, value in walk(doc):
            if not isinstance(value, str):
                continue
            # secrets reach the environment only, never a command or an input
            if re.search(r"\$\{\{[^}]*\bsecrets\.", value) and (len(where) < 2 or where[-2] != "env"):
                problems.append("%s: %s: secrets outside env:" % (path, "/".join(where)))
            if where and where[-1] == "uses" and not value.startswith("./"):
                if not re.search(r"@(v\d+|[0-9a-f]{40})$", value) and \
                        "ci-templates/github@" not in value:
                    problems.append("%s: %s: %s is not pinned to a major version"
                                    % (path, "/".join(where), value))
        if "jobs" in doc:
            for jn, job in doc["jobs"].items():
                for s in job.get("steps") or []:
                    if str(s.get("uses", "")).startswith("actions/checkout@"):
                        on = doc.get("on", doc.get(True)) or {}
                        depth = str((s.get("with") or {}).get("fetch-depth", "1"))
                        if "pull_request" in on and depth != "0":
                            problems.append("%s: %s: a pull-request gate needs fetch-depth: 0"
                                            % (path, jn))
        if "runs" not in doc and "jobs" not in doc:   # GitLab
            for jn, job in doc.items():
                if not isinstance(job, dict):
                    continue
                # needs: downloads every artifact of the job it names unless
                # told otherwise: a template says which it wants
                for x in job.get("needs") or []:
                    if not isinstance(x, dict) or "artifacts" not in x:
                        problems.append("%s: %s: needs: %r does not say artifacts: true or false"
                                        % (path, jn, x))
                exp = (job.get("artifacts") or {}).get("expire_in")
                if exp:
                    m = re.fullmatch(r"(\d+) days?", exp)
                    if not m or not 7 <= int(m.group(1)) <= 30:
                        problems.append("%s: %s: expire_in %r is not 7-30 days"
                                        % (path, jn, exp))
    for p in problems:
        print(p)
    return 1 if problems else 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("github")
    g.add_argument("file")
    g.add_argument("--origin", required=True)
    g.add_argument("--work", required=True)
    g.add_argument("--event", required=True)
    g.add_argument("--ref", default="main")
    g.add_argument("--sha", required=True)
    g.add_argument("--head-sha", default="")
    g.add_argument("--base", default="main")
    g.add_argument("--head", default="")
    g.add_argument("--pr", default="1")
    g.add_argument("--repository", default="acme/widgets")
    g.add_argument("--run-id", default="7001")
    g.add_argument("--run-attempt", default="1")
    g.add_argument("--artifacts", default="")
    g.add_argument("--var", action="append", default=[])
    g.add_argument("--secret", action="append", default=[])
    g.add_argument("--with", dest="with_", action="append", default=[])
    g.add_argument("--stub-step", action="append", default=[])
    g.add_argument("--action-dir", required=True)
    g.add_argument("--result", required=True)
    lab = sub.add_parser("gitlab")
    lab.add_argument("file")
    lab.add_argument("--origin", required=True)
    lab.add_argument("--work", required=True)
    lab.add_argument("--source", required=True)
    lab.add_argument("--ref", default="main")
    lab.add_argument("--sha", required=True)
    lab.add_argument("--target", default="main")
    lab.add_argument("--mr", default="1")
    lab.add_argument("--project", default="acme/widgets")
    lab.add_argument("--pipeline-id", default="5001")
    lab.add_argument("--server-url", default="https://gitlab.example.com")
    lab.add_argument("--var", action="append", default=[])
    lab.add_argument("--include-root", required=True)
    lab.add_argument("--result", required=True)
    ex = sub.add_parser("extract")
    ex.add_argument("files", nargs="+")
    ex.add_argument("--out", required=True)
    st = sub.add_parser("static")
    st.add_argument("files", nargs="+")
    a = ap.parse_args()
    try:
        if a.cmd == "extract":
            return cmd_extract(a)
        if a.cmd == "static":
            return cmd_static(a)
        r = GitHubRun(a) if a.cmd == "github" else GitLabRun(a)
        rc = r.run()
        r.result["exit"] = rc
        with open(a.result, "w") as f:
            json.dump(r.result, f, indent=1)
        return rc
    except (TemplateError, yaml.YAMLError, OSError) as e:
        print("ci_templates.py: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
