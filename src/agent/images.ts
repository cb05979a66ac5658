import { ImageAttachment, MAX_IMAGE_BASE64, MAX_IMAGES } from "../protocol/plaintext.ts";

export { ImageAttachment };

/**
 * The images of a phone message the agent may be given: valid, at most MAX_IMAGES, each
 * at most MAX_IMAGE_BASE64 of base64. What is left out is said, never dropped silently.
 */
export function acceptImages(raw: readonly unknown[] | undefined): { images: ImageAttachment[]; notice: string | null } {
  if (!raw || raw.length === 0) return { images: [], notice: null };
  const images: ImageAttachment[] = [];
  const problems: string[] = [];
  raw.forEach((candidate, index) => {
    const parsed = ImageAttachment.safeParse(candidate);
    if (!parsed.success) return void problems.push(`image ${index + 1}: ${whyNot(candidate)}`);
    if (images.length >= MAX_IMAGES) return void problems.push(`image ${index + 1}: at most ${MAX_IMAGES} images per message`);
    images.push(parsed.data);
  });
  return { images, notice: problems.length > 0 ? `Not passed to the agent: ${problems.join("; ")}.` : null };
}

function whyNot(candidate: unknown): string {
  const data = (candidate as { source?: { data?: unknown } } | null)?.source?.data;
  if (typeof data === "string" && data.length > MAX_IMAGE_BASE64) {
    return `${(data.length / 1024 / 1024).toFixed(1)} MB, larger than the ${MAX_IMAGE_BASE64 / 1024 / 1024} MB an image may be`;
  }
  return "not a PNG, JPEG, GIF or WebP image in base64";
}
