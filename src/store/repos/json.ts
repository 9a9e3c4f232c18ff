/** JSON columns: parsed with a reviver-free parse; `__proto__` keys stay plain data (JSON.parse defines own props). */
export const toJson = (v: unknown): string => JSON.stringify(v ?? null);
export const fromJson = <T>(s: unknown): T => JSON.parse(String(s)) as T;
