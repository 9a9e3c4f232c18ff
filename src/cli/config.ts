/** Configuration from the environment (README's configuration table). */
export interface Config {
  databaseUrl: string;
  host: string;
  port: number;
  managementKey?: string;
  adminEmail?: string;
  adminPassword?: string;
  logLevel: string;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number (got ${env.PORT})`);
  return {
    databaseUrl: env.DATABASE_URL ?? 'sqlite:./data/openpromo.db',
    host: env.HOST ?? '127.0.0.1',
    port,
    ...(env.OPENPROMO_MANAGEMENT_KEY ? { managementKey: env.OPENPROMO_MANAGEMENT_KEY } : {}),
    ...(env.OPENPROMO_ADMIN_EMAIL ? { adminEmail: env.OPENPROMO_ADMIN_EMAIL } : {}),
    ...(env.OPENPROMO_ADMIN_PASSWORD ? { adminPassword: env.OPENPROMO_ADMIN_PASSWORD } : {}),
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}
