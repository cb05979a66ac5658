import { describe, expect, test } from "bun:test";
import { languageOfFence, languageOfFile } from "../../src/web/files/highlight.ts";
import { insertMention, matchPaths, mentionAt, withFolders } from "../../src/web/files/mention-match.ts";
import { createTextReader, looksBinary, textToSave } from "../../src/web/files/text-file.ts";
import { parseFilesView, filesViewPath } from "../../src/web/ui/files/files-route.ts";

// The file viewer's and the composer's pure parts, without a browser.

describe("@ mentions", () => {
  const files = withFolders(["README.md", "src/app.tsx", "src/web/apple.ts", "test/app.test.ts", "docs/snap.md"]);

  test("folders are offered beside the files", () => {
    expect(files.filter((f) => f.endsWith("/")).sort()).toEqual(["docs/", "src/", "src/web/", "test/"]);
  });

  const cases: Array<[string, string[]]> = [
    // Name starts with it, then name holds it, then the path, then its letters in order; shorter first.
    ["app", ["src/app.tsx", "src/web/apple.ts", "test/app.test.ts"]],
    ["APP.T", ["src/app.tsx", "test/app.test.ts", "src/web/apple.ts"]],
    ["web", ["src/web/", "src/web/apple.ts"]],
    ["snap", ["docs/snap.md"]],
    ["sat", ["src/app.tsx", "src/web/apple.ts", "test/app.test.ts"]],
    ["zzz", []],
  ];
  for (const [query, expected] of cases) test(`"@${query}"`, () => expect(matchPaths(files, query)).toEqual(expected));

  test("the mention being typed, and the path put in its place", () => {
    expect(mentionAt("look at @sr", 11)).toEqual({ start: 8, query: "sr" });
    expect(mentionAt("@", 1)).toEqual({ start: 0, query: "" });
    expect(mentionAt("mail me@example.com", 19)).toBeNull();
    expect(mentionAt("done @a b", 9)).toBeNull();
    expect(insertMention("look at @sr", { start: 8 }, 11, "src/app.tsx")).toEqual({ text: "look at @src/app.tsx ", caret: 21 });
    // The caret inside a word: the rest of that word goes, the text after it stays.
    expect(insertMention("see @ap|x and more", { start: 4 }, 7, "src/app.tsx")).toEqual({ text: "see @src/app.tsx and more", caret: 17 });
  });
});

describe("text files", () => {
  test("a NUL byte in the first 8,000 bytes makes a file binary", () => {
    expect(looksBinary(new TextEncoder().encode("plain text\n"))).toBe(false);
    expect(looksBinary(new Uint8Array([65, 0, 66]))).toBe(true);
    expect(looksBinary(new Uint8Array(9000).fill(65).fill(0, 8500))).toBe(false);
  });

  test("pages decode to the same text as the whole, also with a character cut between them", () => {
    const bytes = new TextEncoder().encode("héllo wörld ✓\nsecond line\n");
    const read = createTextReader();
    const cut = 2; // inside the two bytes of "é"
    const first = read({ bytes: bytes.subarray(0, cut), offset: 0, size: bytes.length, hash: null });
    const second = read({ bytes: bytes.subarray(cut), offset: cut, size: bytes.length, hash: null });
    expect(first.text + second.text).toBe("héllo wörld ✓\nsecond line\n");
    expect({ whole: first.whole, loaded: second.loaded, utf8: second.utf8 }).toEqual({ whole: false, loaded: bytes.length, utf8: true });
    const latin1 = createTextReader()({ bytes: new Uint8Array([0x63, 0x61, 0x66, 0xe9]), offset: 0, size: 4, hash: "h" });
    expect(latin1).toMatchObject({ text: "caf\uFFFD", utf8: false, whole: true, hash: "h" });
  });

  test("a file saved from the editor keeps its CRLF line endings", () => {
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    expect(decode(textToSave("a\nb\n", "x\r\ny\r\n"))).toBe("a\r\nb\r\n");
    expect(decode(textToSave("a\nb\n", "x\ny\n"))).toBe("a\nb\n");
  });

  test("languages by file name and by code fence", () => {
    expect([languageOfFile("src/app.tsx"), languageOfFile("Makefile"), languageOfFile("a/b.PY"), languageOfFile("notes"), languageOfFile(".env")]).toEqual([
      "typescript", "makefile", "python", null, null,
    ]);
    expect([languageOfFence("ts"), languageOfFence("shell"), languageOfFence("json title=x"), languageOfFence("brainfuck"), languageOfFence(undefined)]).toEqual([
      "typescript", "bash", "json", null, null,
    ]);
  });
});

describe("files routes", () => {
  test("every view's path reads back as the same view, also for names that need escaping", () => {
    const views = [
      { kind: "changes" },
      { kind: "diff", side: "staged", gitPath: "src/a b#c.ts" },
      { kind: "folder", path: "" },
      { kind: "folder", path: "src/deep" },
      { kind: "file", path: "docs/100% done?.md" },
    ] as const;
    for (const view of views) {
      const path = filesViewPath("/s/p/s", view);
      expect(parseFilesView(path.split("/").filter(Boolean).slice(3).map(decodeURIComponent))).toEqual(view);
    }
    expect(parseFilesView(["changes", "elsewhere", "x"])).toBeNull();
    expect(parseFilesView(["file"])).toBeNull();
  });
});
