import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Debian's chromium (`apt-get install chromium`); CI installs it in .ci/run. */
export const CHROMIUM = process.env.REMCLI_CHROMIUM ?? "/usr/bin/chromium";

/** Why browser tests cannot run here, or null when they can. */
export function browserMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set REMCLI_CHROMIUM)`;
}

export const ARTIFACTS = join(import.meta.dir, "..", "..", "test-artifacts", "web");

/** A phone: a Pixel-sized touch viewport. */
export const PHONE = { viewport: { width: 412, height: 860 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

export type Phone = {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Saves a screenshot under test-artifacts/web/<name>.png. */
  shot(name: string): Promise<string>;
  /** Every console error and page error, to fail on after the flow. */
  errors: string[];
  [Symbol.asyncDispose](): Promise<void>;
};

/** Headless Chromium with one phone-sized page; disposing closes the browser even after a failure. */
export async function openPhone(options: { colorScheme?: "light" | "dark" } = {}): Promise<Phone> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  try {
    const context = await browser.newContext({ ...PHONE, colorScheme: options.colorScheme ?? "light" });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(`console: ${message.text()}`);
    });
    mkdirSync(ARTIFACTS, { recursive: true });
    return {
      browser,
      context,
      page,
      errors,
      async shot(name) {
        const path = join(ARTIFACTS, `${name}.png`);
        await page.screenshot({ path });
        return path;
      },
      async [Symbol.asyncDispose]() {
        await browser.close().catch(() => {});
      },
    };
  } catch (error) {
    await browser.close().catch(() => {});
    throw error;
  }
}

/**
 * Opens a session by its row's link. Goes to the link's address rather than clicking it:
 * on CI the row was sometimes detached right after the session appeared and not
 * found again within 30 s (cause open), and a click waits for a row that stays put.
 */
export async function openFromList(page: Page, name: RegExp): Promise<void> {
  const href = await page.getByRole("link", { name }).getAttribute("href");
  if (!href) throw new Error(`no link named ${name}`);
  await page.goto(new URL(href, page.url()).href);
}
