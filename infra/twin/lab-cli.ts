export async function labCommand(_root: string, _args: string[]): Promise<number> { return 2; }
