import { useState } from "preact/hooks";
import { StaleFile, type SessionFiles } from "../../files/session-files.ts";
import { textToSave, type OpenedFile } from "../../files/text-file.ts";

/**
 * Edits a small text file and saves it with the hash it had when it was read: if the
 * agent (or anyone) changed it since, the save is refused, nothing is written, and the
 * user is offered the file as it is now.
 */
export function FileEditor(props: {
  files: SessionFiles;
  path: string;
  file: OpenedFile;
  saved: (text: string, hash: string, bytes: number) => void;
  reload: () => void;
  cancel: () => void;
}) {
  const { file } = props;
  const [text, setText] = useState(file.text.replace(/\r\n/g, "\n"));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [stale, setStale] = useState(false);

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      const bytes = textToSave(text, file.text);
      const hash = await props.files.write(props.path, bytes, file.hash);
      props.saved(new TextDecoder().decode(bytes), hash, bytes.byteLength);
    } catch (failure) {
      if (failure instanceof StaleFile) setStale(true);
      else setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form
      class="file-editor"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      {stale ? (
        <div class="panel panel-problem" role="alert">
          <p>
            <strong>{props.path} was changed on the computer</strong> since you opened it, so your edit was not saved.
          </p>
          <div class="row">
            <button type="button" class="primary" onClick={props.reload}>Reload the file (drops your edit)</button>
            <button type="button" onClick={() => setStale(false)}>Keep editing</button>
          </div>
        </div>
      ) : null}
      {error ? <p class="error" role="alert">Could not save: {error}</p> : null}
      <textarea
        aria-label={`Edit ${props.path}`}
        value={text}
        spellcheck={false}
        autocapitalize="off"
        autocomplete="off"
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <div class="row">
        <button type="submit" class="primary" disabled={saving || stale}>{saving ? "Saving…" : "Save"}</button>
        <button type="button" disabled={saving} onClick={props.cancel}>Cancel</button>
      </div>
    </form>
  );
}
