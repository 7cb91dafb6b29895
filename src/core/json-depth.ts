/** The nesting depth of a JSON value: deeper bodies are kept as text, since walking them would overflow the stack. */

/** The nesting depth of a JSON value, counted iteratively and stopping past `limit`. */
export function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    if (v !== null && typeof v === 'object')
      for (const child of Object.values(v))
        if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return deepest;
}
