// Keyboard shortcuts of the image view: one table that both the key handler and the help overlay
// read, so the list on screen is the list that works. Letters b, x, l, u/z (brush, eraser, lasso,
// undo) and [ ] (brush size, as in napari and QuPath) are left free for the annotation editor.

export type ShortcutAction =
  | 'fit'
  | 'one-to-one'
  | 'zoom-in'
  | 'zoom-out'
  | 'pan-left'
  | 'pan-right'
  | 'pan-up'
  | 'pan-down'
  | 'toggle-original'
  | 'toggle-gt'
  | 'toggle-pred'
  | 'toggle-error'
  | 'toggle-mode'
  | 'toggle-layout'
  | 'auto-contrast'
  | 'reset-contrast'
  | 'prev-image'
  | 'next-image'
  | 'help';

export interface Shortcut {
  keys: string[];
  action: ShortcutAction;
  label: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['f'], action: 'fit', label: 'Fit the image in the view' },
  { keys: ['1'], action: 'one-to-one', label: 'Zoom 1:1 (one image pixel per screen pixel)' },
  { keys: ['+', '='], action: 'zoom-in', label: 'Zoom in' },
  { keys: ['-'], action: 'zoom-out', label: 'Zoom out' },
  { keys: ['ArrowLeft'], action: 'pan-left', label: 'Pan left' },
  { keys: ['ArrowRight'], action: 'pan-right', label: 'Pan right' },
  { keys: ['ArrowUp'], action: 'pan-up', label: 'Pan up' },
  { keys: ['ArrowDown'], action: 'pan-down', label: 'Pan down' },
  { keys: ['o'], action: 'toggle-original', label: 'Show / hide the original' },
  { keys: ['g'], action: 'toggle-gt', label: 'Show / hide the ground truth' },
  { keys: ['p'], action: 'toggle-pred', label: 'Show / hide the prediction' },
  { keys: ['e'], action: 'toggle-error', label: 'Show / hide the error map' },
  { keys: ['m'], action: 'toggle-mode', label: 'Overlays: swap which of ground truth and prediction is outlined and which filled' },
  { keys: ['s'], action: 'toggle-layout', label: 'Single view / side by side (original | ground truth | prediction)' },
  { keys: ['a'], action: 'auto-contrast', label: 'Auto contrast (0.35 % saturated at each end)' },
  { keys: ['r'], action: 'reset-contrast', label: 'Reset contrast to the project normalisation' },
  { keys: ['PageUp', ','], action: 'prev-image', label: 'Previous image' },
  { keys: ['PageDown', '.'], action: 'next-image', label: 'Next image' },
  { keys: ['?', 'h'], action: 'help', label: 'This list' },
];

export const POINTER_HELP: readonly { input: string; label: string }[] = [
  { input: 'Wheel', label: 'Zoom about the pointer' },
  { input: 'Drag', label: 'Pan (all panes follow)' },
  { input: 'Space + drag, middle drag', label: 'Pan while a tool is active' },
];

/** Inputs that take typed text: a key pressed in them is never a shortcut. */
const TEXT_INPUTS = new Set(['text', 'number', 'search', 'email', 'password', 'url', 'tel', '']);

/**
 * The action of a key press, or null. Keys typed into a text field or a list are never shortcuts;
 * in a slider only the arrow keys are its own (a checkbox keeps no keys: g still toggles after a click).
 */
export function actionOf(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean; target: EventTarget | null }): ShortcutAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  const t = e.target as { tagName?: string; type?: string; isContentEditable?: boolean } | null;
  const tag = t?.tagName?.toLowerCase();
  if (tag === 'textarea' || tag === 'select' || t?.isContentEditable) return null;
  if (tag === 'input') {
    const type = (t?.type ?? '').toLowerCase();
    if (TEXT_INPUTS.has(type)) return null;
    if (type === 'range' && e.key.startsWith('Arrow')) return null;
  }
  return SHORTCUTS.find((s) => s.keys.includes(e.key))?.action ?? null;
}
