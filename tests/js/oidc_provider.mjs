// A real OpenID Provider for the sign-in tests: panva's oidc-provider on a loopback port,
// with one confidential test client and test accounts named by their email address.
//
//   node tests/js/oidc_provider.mjs PORT REDIRECT_URI CLIENT_ID CLIENT_SECRET
//
// Prints {"issuer": …} on one line once it listens. Accounts: any email; an address whose
// local part starts with "unverified" has email_verified=false. The login page is a plain
// form (field "login"); consent is granted with the login.
//
// POST /test/mode with the body "normal", "tamper" or "wrong-audience" changes what the
// token endpoint answers from then on, to test the relying party's checks:
// - tamper: the ID token's payload says another email; its signature is left as it was.
// - wrong-audience: a correctly signed ID token (the provider's own key) for another client.
import { createServer } from "node:http";
import { createSign, generateKeyPairSync } from "node:crypto";
import Provider from "oidc-provider";

const [port, redirectUri, clientId, clientSecret] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: "jwk" }), kid: "test-key", use: "sig", alg: "RS256" };
let mode = "normal";

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
  ],
  jwks: { keys: [jwk] },
  cookies: { keys: ["oidc-provider-test-cookie-key"] },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  // Put the requested claims in the ID token too, as Okta, Google and Keycloak do.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => true },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        const local = id.split("@")[0];
        return {
          sub: id,
          email: id,
          email_verified: !local.startsWith("unverified"),
          name: local.replace(/[._]/g, " "),
        };
      },
    };
  },
});
provider.proxy = false;

function b64url(data) {
  return Buffer.from(data).toString("base64url");
}

function resign(idToken, change) {
  const [header, payload] = idToken.split(".");
  const claims = { ...JSON.parse(Buffer.from(payload, "base64url")), ...change };
  const body = `${header}.${b64url(JSON.stringify(claims))}`;
  const signature = createSign("RSA-SHA256").update(body).sign(privateKey).toString("base64url");
  return `${body}.${signature}`;
}

function tamper(idToken, change) {
  const [header, payload, signature] = idToken.split(".");
  const claims = { ...JSON.parse(Buffer.from(payload, "base64url")), ...change };
  return `${header}.${b64url(JSON.stringify(claims))}.${signature}`;
}

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== "/token" || ctx.status !== 200 || !ctx.body?.id_token) return;
  if (mode === "tamper") {
    ctx.body = { ...ctx.body, id_token: tamper(ctx.body.id_token, { email: "admin@example.com" }) };
  } else if (mode === "wrong-audience") {
    ctx.body = { ...ctx.body, id_token: resign(ctx.body.id_token, { aud: "another-client" }) };
  }
});

function readBody(req) {
  return new Promise((resolve) => {
    let data = "";
    req.on("data", (chunk) => (data += chunk));
    req.on("end", () => resolve(data));
  });
}

function escapeHtml(text) {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === "GET") {
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    res.end(`<!doctype html><title>Test provider sign-in</title>
<h1>Test provider</h1><p>Signing in to ${escapeHtml(details.params.client_id)}</p>
<form method="post" action="/interaction/${uid}/login">
<label for="login">Email</label><input id="login" name="login" type="email" required>
<button type="submit">Sign in</button></form>`);
    return;
  }
  const login = new URLSearchParams(await readBody(req)).get("login");
  const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
  grant.addOIDCScope("openid email profile");
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: login }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

const callback = provider.callback();
const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    const match = url.pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
    if (url.pathname === "/test/mode" && req.method === "POST") {
      mode = (await readBody(req)).trim();
      res.end(mode);
    } else if (match) {
      await interaction(req, res, match[1]);
    } else {
      callback(req, res);
    }
  } catch (error) {
    res.statusCode = 500;
    res.end(String(error));
  }
});
server.listen(Number(port), "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
