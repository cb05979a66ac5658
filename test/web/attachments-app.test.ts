import { describe, expect, test } from "bun:test";
import { fakeClaude, spawnFromPhone } from "../helpers/agent.ts";
import { startDaemon } from "../helpers/p2p.ts";
import { eventually } from "../helpers/sandbox.ts";
import { browserMissing, openPhone } from "./browser.ts";

// Real headless Chromium at a phone viewport against a real daemon and the fake Claude Code.
const missing = browserMissing();
if (missing) console.warn(`skipping the attachments browser test: ${missing}`);
const browserTest = missing ? test.skip : test;

describe("image attachments in the app", () => {
  browserTest("a large photo is scaled down on the phone, sent with the message and reaches the agent as an image", async () => {
    using claude = fakeClaude();
    await using daemon = await startDaemon(claude.env);
    await spawnFromPhone(daemon, "snapshots");
    await using phone = await openPhone();
    const { page } = phone;
    await page.goto(JSON.parse((await daemon.box.cli(["daemon", "qr", "--json"])).stdout).url);
    await page.getByText("online", { exact: true }).waitFor();
    await page.getByRole("link", { name: /Open session snapshots/ }).click();

    // A 4000×3000 noisy PNG, as large as a phone photo (several MB), picked in the file input.
    const pickedBytes = await page.getByLabel("Attach image").evaluate(async (input: HTMLInputElement) => {
      const canvas = document.createElement("canvas");
      canvas.width = 4000;
      canvas.height = 3000;
      const context = canvas.getContext("2d")!;
      const pixels = context.createImageData(4000, 3000);
      for (let i = 0; i < pixels.data.length; i += 4) {
        pixels.data[i] = (i * 7) % 251;
        pixels.data[i + 1] = (i * 13) % 241;
        pixels.data[i + 2] = Math.floor(Math.random() * 256);
        pixels.data[i + 3] = 255;
      }
      context.putImageData(pixels, 0, 0);
      const blob = await new Promise<Blob>((done) => canvas.toBlob((b) => done(b!), "image/png"));
      const files = new DataTransfer();
      files.items.add(new File([blob], "photo.png", { type: "image/png" }));
      input.files = files.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      return blob.size;
    });
    expect(pickedBytes).toBeGreaterThan(5_000_000);
    await page.getByRole("img", { name: "Attached image 1" }).waitFor();
    await phone.shot("attachment-picked");
    await page.getByLabel("Message to the agent").fill("what is in this picture?");
    await page.getByRole("button", { name: "Send message" }).click();
    await page.getByText("echo: what is in this picture? [1 image]").waitFor({ timeout: 15_000 });
    await page.getByRole("img", { name: "Image 1 sent to the agent" }).waitFor();
    expect(await page.getByRole("img", { name: "Attached image 1" }).count()).toBe(0);
    await phone.shot("attachment");

    const prompt = await eventually("the prompt with the image", async () => claude.received().find((r) => r.type === "prompt" && Array.isArray(r.content)));
    const [image, text] = (prompt as { content: any[] }).content;
    expect(text).toEqual({ type: "text", text: "what is in this picture?" });
    expect(image).toMatchObject({ type: "image", source: { type: "base64", media_type: "image/jpeg" } });
    const bytes = Buffer.from(image.source.data, "base64");
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(image.source.data.length).toBeLessThanOrEqual(700_000);
    expect(phone.errors).toEqual([]);
  });
});
