export function repair(source: string): { out: string; fixes: number };
