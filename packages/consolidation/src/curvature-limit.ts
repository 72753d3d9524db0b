/**
 * Cap every entry of a penalty's importance (EWC's Fisher, SI's Ω) at `cap`, in place; returns how many entries
 * were capped. Used with SGD so that a quadratic penalty's explicit step never overshoots its anchor.
 */
export function capImportance(importance: Float32Array, cap: number): number {
  const limit = Math.fround(cap);
  let capped = 0;
  for (let i = 0; i < importance.length; i++) {
    if (importance[i]! > limit) {
      importance[i] = limit;
      capped++;
    }
  }
  return capped;
}
