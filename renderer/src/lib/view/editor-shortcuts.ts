// Keyboard shortcuts of the annotation editor: one table for the key handler and the help overlay.
// Only keys the review shortcuts (shortcuts.ts) leave free; ctrl+z/y/s are the usual ones.

export type EditorAction =
  | 'tool-none'
  | 'tool-brush'
  | 'tool-eraser'
  | 'tool-fill'
  | 'tool-lasso'
  | 'tool-accept'
  | 'erase-to'
  | 'next-class'
  | 'brush-smaller'
  | 'brush-bigger'
  | 'undo'
  | 'redo'
  | 'save';

export interface EditorShortcut {
  /** Key names as KeyboardEvent.key; a "ctrl+" / "ctrl+shift+" prefix needs those modifiers (or meta). */
  keys: string[];
  action: EditorAction;
  label: string;
}

export const EDITOR_SHORTCUTS: readonly EditorShortcut[] = [
  { keys: ['v'], action: 'tool-none', label: 'Editor: no tool (drag pans)' },
  { keys: ['b'], action: 'tool-brush', label: 'Editor: brush with the selected class' },
  { keys: ['x'], action: 'tool-eraser', label: 'Editor: eraser' },
  { keys: ['u'], action: 'erase-to', label: 'Editor: eraser erases to unlabelled / background' },
  { keys: ['k'], action: 'tool-fill', label: 'Editor: flood fill (4-connected) with the selected class' },
  { keys: ['l'], action: 'tool-lasso', label: 'Editor: lasso / polygon fill with the selected class' },
  { keys: ['t'], action: 'tool-accept', label: 'Editor: accept the prediction inside a drawn region' },
  { keys: ['c'], action: 'next-class', label: 'Editor: next class' },
  { keys: ['['], action: 'brush-smaller', label: 'Editor: smaller brush' },
  { keys: [']'], action: 'brush-bigger', label: 'Editor: bigger brush' },
  { keys: ['ctrl+z'], action: 'undo', label: 'Editor: undo' },
  { keys: ['ctrl+shift+z', 'ctrl+y'], action: 'redo', label: 'Editor: redo' },
  { keys: ['ctrl+s'], action: 'save', label: 'Editor: save the mask now (it also saves itself after 2 s idle)' },
];

/** The name of a key press as the table writes it ("ctrl+shift+z", "b"). */
export function keyName(e: { key: string; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean }): string {
  const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (!(e.ctrlKey || e.metaKey)) return e.key;
  return `ctrl+${e.shiftKey ? 'shift+' : ''}${k}`;
}

/** The editor action of a key press, or null; keys typed into text fields and lists are never shortcuts. */
export function editorActionOf(e: { key: string; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean; target: EventTarget | null }): EditorAction | null {
  if (e.altKey) return null;
  const t = e.target as { tagName?: string; type?: string; isContentEditable?: boolean } | null;
  const tag = t?.tagName?.toLowerCase();
  if (tag === 'textarea' || tag === 'select' || t?.isContentEditable) return null;
  if (tag === 'input' && !['checkbox', 'radio', 'range', 'button'].includes((t?.type ?? '').toLowerCase())) return null;
  const name = keyName(e);
  return EDITOR_SHORTCUTS.find((s) => s.keys.includes(name))?.action ?? null;
}
