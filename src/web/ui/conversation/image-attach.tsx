import { useRef, useState } from "preact/hooks";
import "./composer-extras.css";
import { MAX_IMAGES, type ImageAttachment } from "../../../protocol/plaintext.ts";
import { imageUrl, ImageNotUsable, MESSAGE_IMAGE_BUDGET, shrinkImage } from "../../attachments/shrink-image.ts";

/** Below this much room left, another image would be too blurred to be of use. */
const SMALLEST_BUDGET = 60_000;

/**
 * The composer's attach button (beside the message box) and the strip of images chosen so
 * far, each removable, with what went wrong. Images are scaled down on the phone to fit one
 * message (shrink-image.ts).
 */
export function useImageAttach(images: readonly ImageAttachment[], onChange: (next: ImageAttachment[]) => void) {
  const input = useRef<HTMLInputElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const add = async (files: FileList | null) => {
    if (!files?.length) return;
    setBusy(true);
    setProblem(null);
    const next = [...images];
    try {
      for (const file of Array.from(files)) {
        if (next.length >= MAX_IMAGES) throw new ImageNotUsable(`at most ${MAX_IMAGES} images per message`);
        const room = MESSAGE_IMAGE_BUDGET - next.reduce((sum, image) => sum + image.source.data.length, 0);
        if (room < SMALLEST_BUDGET) throw new ImageNotUsable("no room for another image in this message; send it in the next one");
        next.push(await shrinkImage(file, room));
      }
    } catch (error) {
      setProblem(`Could not attach: ${error instanceof ImageNotUsable ? error.message : String(error)}`);
    } finally {
      onChange(next);
      setBusy(false);
      if (input.current) input.current.value = "";
    }
  };

  const button = (
    <label class={`button attach${busy ? " busy" : ""}`} title="Attach image">
      <input ref={input} type="file" accept="image/*" multiple class="visually-hidden" aria-label="Attach image" disabled={busy} onChange={(e) => void add(e.currentTarget.files)} />
      <span aria-hidden="true">{busy ? "…" : "+"}</span>
    </label>
  );
  const strip =
    images.length > 0 || problem ? (
      <div class="image-attach">
        {images.length > 0 ? (
          <ul class="attachments" aria-label="Attached images">
            {images.map((image, i) => (
              <li key={i}>
                <img src={imageUrl(image)} alt={`Attached image ${i + 1}`} />
                <button type="button" aria-label={`Remove image ${i + 1}`} onClick={() => onChange(images.filter((_, j) => j !== i))}>
                  ×
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        {problem ? <p class="error" role="alert">{problem}</p> : null}
      </div>
    ) : null;
  return { button, strip };
}
