/**
 * The baseline of bench/session-update: a bare Fastify server whose one PUT route parses the same
 * JSON body OpenPromo receives and echoes it back. Run as its own process; prints
 * `listening <port>` on stdout once it accepts connections.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
app.put('/v2/customer_sessions/:customerSessionId', (req) => Promise.resolve(req.body));

const shutdown = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.stdout.write(`listening ${new URL(address).port}\n`);
