/** Entry point of the shop API bundle (dist/service.js). `node dist/service.js` serves on $PORT. */
import { startService } from './server';

export { startService } from './server';

if (require.main === module) {
  const port = Number(process.env.PORT ?? 8080);
  startService({ port }).then(() => console.log(`shop-api listening on http://127.0.0.1:${port}`));
}
