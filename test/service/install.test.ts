import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { installFakeServiceManagers } from "../fixtures/fake-service-manager/install.ts";
import { createSandbox, eventually, isAlive, statusJson, type Sandbox } from "../helpers/sandbox.ts";

/** A sandbox whose systemctl, launchctl and loginctl are the fakes, and whose config and home are its own. */
function serviceSandbox(manager: "systemd" | "launchd") {
  const box = createSandbox({ REMCLI_HEARTBEAT_MS: "200" });
  const fakes = installFakeServiceManagers(box.home);
  const userHome = join(box.home, "user");
  const configDir = join(box.home, "config");
  mkdirSync(userHome);
  Object.assign(box.env, {
    ...fakes.env,
    PATH: `${fakes.bin}:${box.env.PATH}`,
    HOME: userHome,
    XDG_CONFIG_HOME: configDir,
    REMCLI_SERVICE_MANAGER: manager,
  });
  const unitFile = join(configDir, "systemd", "user", "remcli.service");
  const plistFile = join(userHome, "Library", "LaunchAgents", "dev.remcli.daemon.plist");
  return { box, fakes, unitFile, plistFile };
}

const status = async (box: Sandbox) => statusJson(await box.cli(["daemon", "status", "--json"])) as ReturnType<typeof statusJson> & {
  service: { manager: string; installed: boolean; enabled: boolean; active: boolean; file: string } | null;
};
const verbs = (calls: Array<{ argv: string[] }>) => calls.map((c) => c.argv.join(" "));

describe("daemon install under systemd", () => {
  test("install stops a daemon started by hand, writes the unit, reloads, enables and restarts it, and its daemon serves", async () => {
    const { box, fakes, unitFile } = serviceSandbox("systemd");
    await using _ = box;
    expect((await box.cli(["daemon", "start", "--no-qr"])).code).toBe(0);
    const byHand = (await status(box)).pid;

    // A build's signing key in the environment is no setting of the daemon's: it stays out of the unit.
    const installed = await box.cli(["daemon", "install"], { env: { REMCLI_SIGN_KEY: "-----BEGIN PRIVATE KEY-----secret" } });
    expect(installed.stderr).toBe("");
    expect(installed.code).toBe(0);
    expect(installed.stdout).toContain(`stopped the running daemon (pid ${byHand})`);
    expect(installed.stdout).toContain("runs under systemd");
    expect(installed.stdout).toContain("sudo loginctl enable-linger");
    expect(isAlive(byHand)).toBe(false);

    const unit = readFileSync(unitFile, "utf8");
    expect(unit).toContain("Restart=on-failure");
    expect(unit).toContain("KillMode=process");
    expect(unit).toContain("WantedBy=default.target");
    expect(unit).toMatch(/^ExecStart=.*"daemon" "start-sync" "--supervised" "systemd"$/m);
    expect(unit).toContain(`Environment="REMCLI_HOME=${box.home}"`);
    expect(unit).toMatch(/^Environment="PATH=.*fake-bin/m);
    expect(statSync(unitFile).mode & 0o777).toBe(0o600);
    expect(unit).not.toContain("secret");
    expect(unit).toContain(`Environment="REMCLI_HEARTBEAT_MS=200"`);

    const calls = fakes.calls().filter((c) => c.argv[0] === "--user");
    expect(verbs(calls)).toEqual(["--user daemon-reload", "--user enable remcli.service", "--user restart remcli.service"]);
    // The unit was on disk, whole, before systemd was told to read it.
    expect(calls[0]!.file).toBe(unit);

    const report = await status(box);
    expect(report).toMatchObject({ running: true, service: { manager: "systemd", installed: true, enabled: true, active: true, file: unitFile } });
    expect(report.stateReason).toContain("under systemd");
    const started = fakes.events().filter((e) => e.event === "started");
    expect(started.map((e) => e.pid)).toEqual([report.pid]);
    expect((await box.cli(["daemon", "status"])).stdout).toContain("service    systemd, enabled at login, active");
  });

  test("a crash is restarted by systemd and recorded as crashed → running with the reason; `daemon stop` stays stopped", async () => {
    const { box, fakes } = serviceSandbox("systemd");
    await using _ = box;
    expect((await box.cli(["daemon", "install"])).code).toBe(0);
    const first = (await status(box)).pid;
    process.kill(first, "SIGKILL");

    const second = await eventually("the restarted daemon", async () => {
      const report = await status(box);
      return report.running && report.pid !== first ? report : undefined;
    }, 15_000);
    expect(fakes.events().map((e) => e.event)).toEqual(["started", "exited", "restarting", "started"]);
    expect(second.stateReason).toContain("restarted by systemd after a crash");
    const history = box.history().map((h) => [h.state, h.pid]);
    const crashedAt = history.findIndex(([state, pid]) => state === "crashed" && pid === first);
    expect(crashedAt).toBeGreaterThan(-1);
    expect(history.slice(crashedAt)).toEqual([["crashed", first], ["starting", second.pid], ["running", second.pid]]);
    expect(box.history().at(-1)!.reason).toContain(`daemon pid ${first}`);

    expect((await box.cli(["daemon", "stop"])).code).toBe(0);
    await eventually("the service's process to end", async () => ((await status(box)).service?.active ? undefined : true));
    const events = fakes.events();
    expect(events.at(-1)).toMatchObject({ event: "exited", code: 0 });
    expect((await status(box)).service).toMatchObject({ installed: true, enabled: true, active: false });
  });

  test("daemon start after a stop starts the service's daemon, not one of its own; with flags it says they are not the service's", async () => {
    const { box, fakes } = serviceSandbox("systemd");
    await using _ = box;
    expect((await box.cli(["daemon", "install"])).code).toBe(0);
    expect((await box.cli(["daemon", "stop"])).code).toBe(0);
    const started = await box.cli(["daemon", "start", "--no-qr"]);
    expect(started.stderr).toBe("");
    expect(started.stdout).toContain("remcli daemon started by systemd");
    const report = await status(box);
    expect(report.service).toMatchObject({ active: true });
    expect(fakes.events().filter((e) => e.event === "started").at(-1)!.pid).toBe(report.pid);
    expect(verbs(fakes.calls()).at(-3)).toBe("--user start remcli.service");

    expect((await box.cli(["daemon", "stop"])).code).toBe(0);
    const flagged = await box.cli(["daemon", "start", "--no-qr", "--host", "127.0.0.1"]);
    expect(flagged.code).toBe(0);
    expect(flagged.stderr).toContain("with these flags this daemon runs outside the service (`remcli daemon install --host 127.0.0.1`");
    expect(flagged.stdout).toContain("remcli daemon started (");
    expect((await status(box)).service).toMatchObject({ active: false });
  });

  test("a service started while a daemon runs by hand exits 3 and is not restarted", async () => {
    const { box, fakes } = serviceSandbox("systemd");
    await using _ = box;
    expect((await box.cli(["daemon", "install"])).code).toBe(0);
    expect((await box.cli(["daemon", "stop"])).code).toBe(0);
    // With a flag, `daemon start` runs its own daemon outside the service.
    expect((await box.cli(["daemon", "start", "--no-qr", "--host", "127.0.0.1"])).code).toBe(0);
    const byHand = (await status(box)).pid;
    const startsBefore = fakes.events().filter((e) => e.event === "started").length;
    const systemctl = Bun.spawnSync([join(fakes.bin, "systemctl"), "--user", "start", "remcli.service"], { env: box.env });
    expect(systemctl.exitCode).toBe(0);
    await eventually("the service's daemon to give up", () => (fakes.events().at(-1)?.event === "exited" ? true : undefined));
    expect(fakes.events().at(-1)).toMatchObject({ event: "exited", code: 3 });
    expect(fakes.events().filter((e) => e.event === "started")).toHaveLength(startsBefore + 1);
    expect((await status(box)).pid).toBe(byHand);
  });

  test("a setting with a line break stays one value in the unit: it cannot add a directive", async () => {
    const { box, unitFile } = serviceSandbox("systemd");
    await using _ = box;
    const odd = `${join(box.home, "claude")}\nExecStartPre=/bin/false\r\tand %h $HOME`;
    const installed = await box.cli(["daemon", "install"], { env: { REMCLI_CLAUDE_PATH: odd } });
    expect(installed.stderr).toBe("");
    expect(installed.code).toBe(0);
    const lines = readFileSync(unitFile, "utf8").split("\n");
    expect(lines.filter((line) => line.startsWith("ExecStartPre"))).toEqual([]);
    expect(lines.filter((line) => line.includes("REMCLI_CLAUDE_PATH"))).toHaveLength(1);
    // What the service manager hands the daemon is the value itself, line break and all.
    const pid = (await status(box)).pid;
    const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    expect(environ).toContain(`REMCLI_CLAUDE_PATH=${odd}`);
  });

  test("uninstall disables and stops the service and removes the unit; a second uninstall has nothing to do", async () => {
    const { box, fakes, unitFile } = serviceSandbox("systemd");
    await using _ = box;
    expect((await box.cli(["daemon", "install"])).code).toBe(0);
    const pid = (await status(box)).pid;
    const removed = await box.cli(["daemon", "uninstall"]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain(`removed ${unitFile}`);
    expect(existsSync(unitFile)).toBe(false);
    expect(isAlive(pid)).toBe(false);
    expect(verbs(fakes.calls().filter((c) => c.argv[0] === "--user")).slice(-2)).toEqual(["--user disable --now remcli.service", "--user daemon-reload"]);
    const report = await status(box);
    expect(report).toMatchObject({ running: false, state: "stopped", service: { installed: false, enabled: false } });
    expect((await box.cli(["daemon", "uninstall"])).stdout).toContain("nothing to do");
  });

  test("the unit passes `systemd-analyze verify`", async () => {
    const analyze = Bun.which("systemd-analyze");
    if (!analyze) {
      console.warn("skipped: systemd-analyze is not installed here");
      return;
    }
    const { box, unitFile } = serviceSandbox("systemd");
    await using _ = box;
    expect((await box.cli(["daemon", "install"])).code).toBe(0);
    // It looks up the user's runtime folder even to verify a file: a private one will do.
    const runtime = join(box.home, "runtime");
    mkdirSync(runtime, { mode: 0o700 });
    const env = { ...box.env, XDG_RUNTIME_DIR: runtime };
    const verified = Bun.spawnSync([analyze, "--user", "verify", unitFile], { env, stderr: "pipe", stdout: "pipe" });
    const said = `${verified.stdout}${verified.stderr}`.trim();
    // Where verifying needs a running user manager, that is not the unit's fault.
    // An unknown key or a bad value is only a warning on stderr, so stderr must be empty.
    if (verified.exitCode !== 0 && /Failed to (connect|initialize|lookup RuntimeDirectory)/i.test(said)) {
      console.warn(`skipped: systemd-analyze cannot verify here: ${said.split("\n")[0]}`);
      return;
    }
    expect(said).toBe("");
    expect(verified.exitCode).toBe(0);
  });
});

describe("daemon install without a service manager", () => {
  test("says there is none and what to do instead; status has no service", async () => {
    await using box = createSandbox({ REMCLI_SERVICE_MANAGER: "none" });
    const installed = await box.cli(["daemon", "install"]);
    expect(installed.code).toBe(1);
    expect(installed.stderr).toContain("remcli has no login service for");
    expect(installed.stderr).toContain("`remcli daemon start` from your login script");
    expect(JSON.parse((await box.cli(["daemon", "status", "--json"])).stdout).service).toBeNull();
  });
});

describe("daemon install under launchd", () => {
  test("install writes a LaunchAgent that runs at load and is kept alive after a failure; uninstall boots it out", async () => {
    const { box, fakes, plistFile } = serviceSandbox("launchd");
    await using _ = box;
    const installed = await box.cli(["daemon", "install"]);
    expect(installed.stderr).toBe("");
    expect(installed.code).toBe(0);
    expect(installed.stdout).toContain("runs under launchd");
    const plist = readFileSync(plistFile, "utf8");
    expect(plist).toContain("<key>RunAtLoad</key><true/>");
    expect(plist).toMatch(/<key>KeepAlive<\/key>\s*<dict>\s*<key>SuccessfulExit<\/key><false\/>/);
    expect(plist).toContain("<string>--supervised</string>\n    <string>launchd</string>");
    expect(plist).toContain(`<key>REMCLI_HOME</key><string>${box.home}</string>`);
    // A property list by a real reader's measure (plutil is macOS-only; Python's plistlib reads the same XML).
    const python = Bun.which("python3");
    if (python) {
      const read = Bun.spawnSync([python, "-c", "import json,plistlib,sys; print(json.dumps(plistlib.load(open(sys.argv[1],'rb'))))", plistFile], { stdout: "pipe", stderr: "pipe" });
      expect(read.stderr.toString()).toBe("");
      const parsed = JSON.parse(read.stdout.toString());
      expect(parsed).toMatchObject({ Label: "dev.remcli.daemon", RunAtLoad: true, KeepAlive: { SuccessfulExit: false }, AbandonProcessGroup: true });
      expect(parsed.ProgramArguments.slice(-4)).toEqual(["daemon", "start-sync", "--supervised", "launchd"]);
      expect(parsed.EnvironmentVariables.REMCLI_HOME).toBe(box.home);
    } else console.warn("plist not parsed: python3 is not installed here");
    const uid = process.getuid!();
    expect(verbs(fakes.calls())).toEqual([
      `print gui/${uid}/dev.remcli.daemon`,
      `enable gui/${uid}/dev.remcli.daemon`,
      `bootstrap gui/${uid} ${plistFile}`,
    ]);
    const report = await status(box);
    expect(report).toMatchObject({ running: true, service: { manager: "launchd", installed: true, enabled: true, active: true } });

    // Installing again replaces the loaded job: out first, then in.
    expect((await box.cli(["daemon", "install"])).code).toBe(0);
    const again = verbs(fakes.calls()).filter((v) => !v.startsWith("print"));
    expect(again.slice(-3)).toEqual([`bootout gui/${uid}/dev.remcli.daemon`, `enable gui/${uid}/dev.remcli.daemon`, `bootstrap gui/${uid} ${plistFile}`]);
    const pid = (await status(box)).pid;
    expect(pid).not.toBe(report.pid);

    expect((await box.cli(["daemon", "uninstall"])).code).toBe(0);
    expect(existsSync(plistFile)).toBe(false);
    expect(isAlive(pid)).toBe(false);
    expect((await status(box)).service).toMatchObject({ installed: false });
  });

  test("daemon start after a stop kickstarts the loaded LaunchAgent", async () => {
    const { box, fakes } = serviceSandbox("launchd");
    await using _ = box;
    expect((await box.cli(["daemon", "install"])).code).toBe(0);
    expect((await box.cli(["daemon", "stop"])).code).toBe(0);
    // KeepAlive { SuccessfulExit: false }: a clean stop is not relaunched.
    await eventually("the job to end", () => (fakes.events().at(-1)?.event === "exited" ? true : undefined));
    expect(fakes.events().at(-1)).toMatchObject({ code: 0 });
    const started = await box.cli(["daemon", "start", "--no-qr"]);
    expect(started.stdout).toContain("remcli daemon started by launchd");
    expect(verbs(fakes.calls())).toContain(`kickstart gui/${process.getuid!()}/dev.remcli.daemon`);
    expect((await status(box)).service).toMatchObject({ active: true });
  });
});
