// Names of figures as a user reads them: the engine's messages and records use code names
// (meanForegroundDice), the screen says "mean foreground Dice".

const FIGURES: Record<string, string> = {
  meanForegroundDice: 'mean foreground Dice',
  meanForegroundIoU: 'mean foreground IoU',
  meanDiceWithBackground: 'mean Dice with background',
  channelSummedDice: 'channel-summed Dice',
  pixelAccuracy: 'pixel accuracy',
  allBackgroundAccuracy: 'all-background accuracy',
  valLoss: 'validation loss',
  trainLoss: 'training loss',
};

const CODE = new RegExp(`\\b(${Object.keys(FIGURES).join('|')})\\b`, 'g');

/** A figure's name in words (unknown names unchanged). */
export function figureName(code: string): string {
  return FIGURES[code] ?? code;
}

/** `text` with every figure code name replaced by its words. */
export function inWords(text: string): string {
  return text.replace(CODE, (m) => FIGURES[m] ?? m);
}

const SIDES: Record<string, string> = { train: 'training', val: 'validation', test: 'test' };

/** "validation" for val, as the report names the sides. */
export function sideName(split: string): string {
  return SIDES[split] ?? split;
}
