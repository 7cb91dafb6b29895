/** Order number `n` (`ord_<n>`, `ct_<n>`), a working LMT buy, with `changes` laid over it. */
export declare function order(n: number, changes?: Record<string, unknown>): Record<string, unknown>;
