// Names as bioimage.io's model description accepts them: channel names are identifiers (letters,
// digits and underscores, not starting with a digit), the model name is at most 128 characters of
// letters, digits, spaces, underscores, minus signs and parentheses. The class table keeps the
// real names; the package's config and README map one to the other.

/** Identifiers for each name, unique, in order ("nucleus 1" -> "nucleus_1", "2nd" -> "c_2nd"). */
export function identifiers(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((n, i) => {
    let id = n.normalize('NFKD').replace(/[^\x20-\x7e]/g, '').replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
    if (!id) id = `class_${i}`;
    if (/^[0-9]/.test(id)) id = `c_${id}`;
    let unique = id;
    for (let k = 2; used.has(unique); k++) unique = `${id}_${k}`;
    used.add(unique);
    return unique;
  });
}

/** A model name bioimage.io accepts, from any text. */
export function modelName(text: string): string {
  const cleaned = text
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/[^A-Za-z0-9 _()-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 128)
    .trim();
  return cleaned.length >= 5 ? cleaned : `seglens U-Net ${cleaned}`.trim();
}
