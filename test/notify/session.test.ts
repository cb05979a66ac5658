import { describe, expect, test } from "bun:test";
import { eventOf, fakeClaude, spawnFromPhone } from "../helpers/agent.ts";
import { hookProgram, startNtfy } from "../helpers/notify-sinks.ts";
import { startDaemon } from "../helpers/p2p.ts";
import { makeSubscription, startPushService } from "../helpers/push-service.ts";
import { eventually } from "../helpers/sandbox.ts";
import { machineRpc } from "../helpers/sessions.ts";

describe("notifications from a real session", () => {
  test("a permission request, the finished turn and a crash reach Web Push, ntfy and the command hook", async () => {
    using claude = fakeClaude();
    using push = startPushService();
    using ntfy = startNtfy();
    using hook = hookProgram();
    await using daemon = await startDaemon(claude.env);
    const browser = makeSubscription(`${push.base}/push/phone`);
    const setup = await daemon.connect();
    expect(await machineRpc(daemon, setup, "notify-subscribe", { subscription: browser.json, label: "phone" })).toMatchObject({ subscribed: true });
    expect((await daemon.box.cli(["notify", "ntfy", ntfy.topicUrl("agents")])).code).toBe(0);
    expect((await daemon.box.cli(["notify", "command", hook.path])).code).toBe(0);

    const { session, sessionId } = await spawnFromPhone(daemon, "webapp");
    // What each channel got, in one shape: kind, title, body.
    const received = () => ({
      push: push.to(browser.path).map((r) => JSON.parse(browser.decrypt(r.body))).map((n) => ({ kind: n.kind, title: n.title, body: n.body })),
      ntfy: ntfy.published.map(({ body }) => ({ title: body.title, body: body.message })),
      command: hook.runs().map(({ env }) => ({ kind: env.REMCLI_EVENT, title: env.REMCLI_TITLE, body: env.REMCLI_BODY })),
    });
    const everywhere = (what: string, match: (n: { title?: string; body?: string }) => boolean) =>
      eventually(what, () => {
        const now = received();
        return now.push.some(match) && now.ntfy.some(match) && now.command.some(match) ? now : undefined;
      });

    const asked = await session.send("please run a tool");
    const requestId = await session.openRequest("Bash");
    const permission = await everywhere("the permission request on every channel", (n) => n.body === "Bash: ls");
    expect(permission.push[0]).toEqual({ kind: "permission", title: "Approval needed · webapp", body: "Bash: ls" });
    expect(permission.ntfy[0]).toEqual({ title: "Approval needed · webapp", body: "Bash: ls" });
    expect(permission.command[0]).toEqual({ kind: "permission", title: "Approval needed · webapp", body: "Bash: ls" });
    expect(ntfy.published[0]!.body).toMatchObject({ topic: "agents", priority: 4, click: `${daemon.base}/open/${sessionId}` });
    expect(hook.runs()[0]!.stdin).toMatchObject({ kind: "permission", sessionId, url: `/open/${sessionId}` });

    await session.rpc("permission", { id: requestId, approved: true, decision: "approved" });
    await session.waitFor("the end of the turn", (m) => eventOf(m)?.type === "ready", asked);
    const done = await everywhere("the finished turn on every channel", (n) => n.title === "Done · webapp");
    expect(done.push.find((n) => n.kind === "finished")).toEqual({ kind: "finished", title: "Done · webapp", body: "Found two files." });

    await session.send("crash now");
    const crash = await everywhere("the crash on every channel", (n) => n.title === "Session crashed · webapp");
    expect(crash.push.find((n) => n.kind === "crashed")?.body).toMatch(/^agent crashed: /);
    // One event, one notification per channel: three events, three of each.
    expect(received().push).toHaveLength(3);
    expect(received().ntfy).toHaveLength(3);
    expect(received().command).toHaveLength(3);
  });
});
