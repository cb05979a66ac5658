import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "bun:test";
import { acpOf, fakeAcpAgent } from "../helpers/acp.ts";
import { assistantText, eventOf, fakeClaude, phoneSession, spawnFromPhone } from "../helpers/agent.ts";
import { machineRpc } from "../helpers/sessions.ts";
import { startDaemon } from "../helpers/p2p.ts";
import { eventually } from "../helpers/sandbox.ts";

// A 1×1 PNG.
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const image = (data: string, media_type = "image/png") => ({ type: "image", source: { type: "base64", media_type, data } });

describe("images from the phone", () => {
  test("an attached image reaches Claude Code as an image block; a too large one is named and the text still goes", async () => {
    using claude = fakeClaude();
    // Room for a message above the 5 MB an image may be, to see the session refuse it, not the daemon.
    await using daemon = await startDaemon({ ...claude.env, REMCLI_MESSAGE_LIMIT_BYTES: String(12 * 1024 * 1024) });
    const { phone, sessionId, session } = await spawnFromPhone(daemon, "pictures");
    const sendWith = async (text: string, images: unknown[]) => {
      const plaintext = { role: "user", content: { type: "text", text, images }, meta: { sentFrom: "web", permissionMode: "default" } };
      const ack = await phone.timeout(20_000).emitWithAck("message", { sid: sessionId, message: session.cipher.encrypt(plaintext), localId: `img-${crypto.randomUUID()}` });
      if (!ack.ok) throw new Error(`message refused: ${ack.error}`);
      return ack.seq as number;
    };

    const at = await sendWith("what is this?", [image(PNG)]);
    await session.waitFor("the echo", (m) => assistantText(m) === "echo: what is this? [1 image]", at);
    const prompts = claude.received().filter((r) => r.type === "prompt");
    expect(prompts.at(-1)).toEqual({ type: "prompt", content: [image(PNG), { type: "text", text: "what is this?" }] });
    // Stored like any message: encrypted, and the image is in it.
    const stored = (await session.history()).find((m) => m.seq === at)!;
    expect(stored.body.content.images).toEqual([image(PNG)]);
    const raw = (await daemon.api(`/v1/sessions/${sessionId}/messages?after=${at - 1}&limit=1`)).body.messages[0].content.c as string;
    expect(raw).not.toContain(PNG.slice(0, 40));

    // Over 5 MB of base64, and one that is not an image: both named, the valid one and the text go.
    const huge = "A".repeat(5 * 1024 * 1024 + 4);
    const second = await sendWith("and these?", [image(huge), image(PNG, "text/html"), image(PNG, "image/jpeg")]);
    // Pages are bounded in bytes: read only what follows the large message.
    const after = async () => {
      const page = await daemon.api(`/v1/sessions/${sessionId}/messages?after=${second}&limit=100`);
      return (page.body.messages as Array<{ seq: number; content: { c: string } }>).map((m) => ({ seq: m.seq, localId: null, body: session.cipher.decrypt(m.content.c) as any }));
    };
    const notice = await eventually("the notice", async () => (await after()).find((m) => String(eventOf(m)?.message ?? "").startsWith("Not passed to the agent")));
    expect(eventOf(notice).message).toBe(
      "Not passed to the agent: image 1: 5.0 MB, larger than the 5 MB an image may be; image 2: not a PNG, JPEG, GIF or WebP image in base64.",
    );
    await eventually("the echo", async () => (await after()).find((m) => assistantText(m) === "echo: and these? [1 image]"));
    await eventually("the prompt", async () => (claude.received().filter((r) => r.type === "prompt").length === 2 ? true : undefined));
  });
});

describe("images to an ACP agent", () => {
  for (const takesImages of [true, false]) {
    test(`an agent that ${takesImages ? "takes images gets them" : "does not take images gets the text, and the phone is told"}`, async () => {
      using agent = fakeAcpAgent("gemini", takesImages ? { FAKE_ACP_IMAGES: "1" } : {});
      await using daemon = await startDaemon(agent.env);
      const phone = await daemon.connect();
      const directory = join(daemon.box.home, "work", "acp-images");
      mkdirSync(directory, { recursive: true });
      const answer = await machineRpc(daemon, phone, "spawn-remcli-session", { type: "spawn-in-directory", directory, agent: "gemini" });
      const session = await phoneSession(daemon, phone, answer.sessionId);
      await eventually("the agent state to be written", async () => ((await session.state()).version > 0 ? true : undefined));
      const plaintext = { role: "user", content: { type: "text", text: "look", images: [image(PNG)] }, meta: { sentFrom: "web" } };
      const ack = await phone.timeout(10_000).emitWithAck("message", { sid: answer.sessionId, message: session.cipher.encrypt(plaintext), localId: "acp-img" });
      expect(ack.ok).toBe(true);
      const replies = () => session.history().then((all) => all.map(acpOf).filter((d) => d?.type === "message").map((d) => d.message as string));
      const expected = takesImages ? "echo: look [1 image]" : "echo: look";
      await eventually("the echo", async () => ((await replies()).join("").includes(expected) ? true : undefined));
      const notice = (await replies()).some((r) => r.startsWith("This agent does not take images"));
      expect(notice).toBe(!takesImages);
    });
  }
});
