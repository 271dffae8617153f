#!/usr/bin/env node
// A SAML 2.0 identity provider built on xml-crypto (XML-DSig) and
// xml-encryption (XML-Enc): the second, independent peer of
// internal/connector/saml's tests (issue 11 "Proven with real peers").
// Test only: it authenticates nobody, it answers for the user it is told.
//
// Regenerate the signed IdP-shaped fixtures (Entra ID, ADFS, Okta) in
// ../fixtures from the committed test keys in ../fixtures/keys:
//
//   npm ci --prefix internal/connector/saml/testdata/nodeidp
//   node internal/connector/saml/testdata/nodeidp/idp.js fixtures
//
// Serve (what nodeidp_test.go does; it runs `npm ci` first when
// node_modules is missing):
//
//   node idp.js serve --key idp-key.pem --cert idp-cert.pem
//
// listens on 127.0.0.1 (a free port), prints {"url": "http://127.0.0.1:N"}
// on one line, and exits when its standard input closes. Endpoints:
//   GET  /metadata        the IdP metadata (signing certificate, SSO
//                         endpoints for HTTP-Redirect and HTTP-POST)
//   PUT  /sp              the SP metadata XML (what an IdP admin uploads)
//   PUT  /profile         JSON: how to answer (see defaultProfile)
//   GET|POST /sso         an AuthnRequest (HTTP-Redirect with an optional
//                         query signature, SAML bindings §3.4.4.1; or
//                         HTTP-POST with an enveloped signature); answers
//                         with the auto-POST form to the SP's ACS
//   GET  /idp-initiated   an unsolicited response (?RelayState=…)
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');
const zlib = require('zlib');
const { DOMParser, XMLSerializer } = require('@xmldom/xmldom');
const { SignedXml } = require('xml-crypto');
const xmlenc = require('xml-encryption');
const xpath = require('xpath');

const NS = {
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
};
const ALG = {
  rsaSHA256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  excC14N: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  oaep: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
  aes256gcm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
  aes256cbc: 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
};
const FORMAT = {
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  entity: 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity',
};

// ---- XML text ------------------------------------------------------------

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]);
}

function attrs(o) {
  return Object.entries(o)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => ` ${k}="${esc(v)}"`)
    .join('');
}

// el('saml:Issuer', {Format: …}, 'text' | [children]) → XML text.
function el(name, a, content) {
  const body = Array.isArray(content) ? content.join('') : content === undefined ? '' : esc(content);
  return `<${name}${attrs(a || {})}>${body}</${name}>`;
}

function newID(prefix) {
  return (prefix || '_') + crypto.randomBytes(16).toString('hex');
}

// iso formats an instant with the number of fraction digits an IdP uses
// (.NET-based Entra ID and ADFS write 7, Okta 3, crewjam 0–9).
function iso(ms, digits) {
  const s = new Date(ms).toISOString(); // …T10:00:00.123Z
  if (digits === 0) return s.replace(/\.\d+Z$/, 'Z');
  if (digits === 7) return s.replace(/Z$/, '0000Z');
  return s;
}

function certBody(pem) {
  return pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
}

function derToPEM(b64) {
  const body = b64.replace(/\s+/g, '').match(/.{1,64}/g).join('\n');
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

// ---- building a Response ---------------------------------------------------

// Shape: the prefixes and details in which real IdPs differ.
//   p, a: prefix of the protocol / assertion namespace ('' = default ns
//         declared on the element, as Entra ID and ADFS do)
//   sig:  prefix of ds:Signature ('' = default namespace)
//   digits: fraction digits of instants; consent: Response/@Consent
//   issuerFormat: Issuer/@Format; xsType: AttributeValue xsi:type
//         (true = xs:string)
//   nameFormat: Attribute/@NameFormat; prefixList: InclusiveNamespaces
//   statusNS: Status redeclares its namespace (Okta)
//   authnFirst: AuthnStatement before AttributeStatement (Okta)
//   xsNS: xmlns:xs declared on Response and Assertion (Okta), else on
//         each AttributeValue that uses it
//   idPrefix: how IDs start; authnContext: AuthnContextClassRef
const SHAPES = {
  generic: { p: 'samlp', a: 'saml', sig: 'ds', digits: 3, xsType: true, idPrefix: '_', authnContext: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport' },
  entra: { p: 'samlp', a: '', sig: '', digits: 7, idPrefix: '_', authnContext: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password' },
  adfs: { p: 'samlp', a: '', sig: 'ds', digits: 7, consent: 'urn:oasis:names:tc:SAML:2.0:consent:unspecified', idPrefix: '_', authnContext: 'urn:federation:authentication:windows' },
  google: { p: 'saml2p', a: 'saml2', sig: 'ds', digits: 3, xsType: 'xs:anyType', idPrefix: '_', authnContext: 'urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified' },
  okta: { p: 'saml2p', a: 'saml2', sig: 'ds', digits: 3, xsType: true, issuerFormat: FORMAT.entity, nameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified', prefixList: ['xs'], statusNS: true, authnFirst: true, idPrefix: 'id', xsNS: true, authnContext: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport' },
};

function q(prefix, local) {
  return prefix ? `${prefix}:${local}` : local;
}

function nsDecl(prefix, uri) {
  return prefix ? { [`xmlns:${prefix}`]: uri } : { xmlns: uri };
}

// assertionXML builds the unsigned Assertion.
//   r: {issuer, audience, acs, inResponseTo, now (ms), assertionID, sessionIndex,
//       user: {nameID, nameIDFormat, attributes: {name: [values]}}}
function assertionXML(shape, r) {
  const A = (l) => q(shape.a, l);
  const t = (ms) => iso(ms, shape.digits);
  const user = r.user;
  const attrsXML = Object.entries(user.attributes || {}).map(([name, values]) =>
    el(A('Attribute'), { Name: name, NameFormat: shape.nameFormat }, [].concat(values).map((v) =>
      el(A('AttributeValue'), shape.xsType ? { 'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', ...(shape.xsNS ? {} : { 'xmlns:xs': 'http://www.w3.org/2001/XMLSchema' }), 'xsi:type': shape.xsType === true ? 'xs:string' : shape.xsType } : {}, v))));
  const authn = el(A('AuthnStatement'), { AuthnInstant: t(r.now), SessionIndex: r.sessionIndex }, [
    el(A('AuthnContext'), {}, [el(A('AuthnContextClassRef'), {}, shape.authnContext)]),
  ]);
  const attrStmt = attrsXML.length ? el(A('AttributeStatement'), {}, attrsXML) : '';
  return el(A('Assertion'), {
    ...nsDecl(shape.a, NS.saml), ID: r.assertionID, IssueInstant: t(r.now), Version: '2.0',
    ...(shape.xsNS ? { 'xmlns:xs': 'http://www.w3.org/2001/XMLSchema' } : {}),
  }, [
    el(A('Issuer'), { Format: shape.issuerFormat }, r.issuer),
    el(A('Subject'), {}, [
      el(A('NameID'), { Format: user.nameIDFormat }, user.nameID),
      el(A('SubjectConfirmation'), { Method: 'urn:oasis:names:tc:SAML:2.0:cm:bearer' }, [
        el(A('SubjectConfirmationData'), { InResponseTo: r.inResponseTo, NotOnOrAfter: t(r.now + 5 * 60e3), Recipient: r.acs }),
      ]),
    ]),
    el(A('Conditions'), { NotBefore: t(r.now - 5e3), NotOnOrAfter: t(r.now + 60 * 60e3) }, [
      el(A('AudienceRestriction'), {}, [el(A('Audience'), {}, r.audience)]),
    ]),
    ...(shape.authnFirst ? [authn, attrStmt] : [attrStmt, authn]),
  ]);
}

// sign adds an enveloped RSA-SHA256 signature over the element named local
// (Response or Assertion), placed right after its Issuer (SAML core §5.4.2).
function sign(xml, local, key, cert, shape) {
  const target = `//*[local-name(.)='${local}' and namespace-uri(.)='${local === 'Response' ? NS.samlp : NS.saml}']`;
  const sx = new SignedXml({
    privateKey: key,
    publicCert: cert,
    signatureAlgorithm: ALG.rsaSHA256,
    canonicalizationAlgorithm: ALG.excC14N,
  });
  sx.addReference({
    xpath: target,
    transforms: [ALG.enveloped, ALG.excC14N],
    digestAlgorithm: ALG.sha256,
    inclusiveNamespacesPrefixList: shape.prefixList || [],
  });
  sx.computeSignature(xml, {
    prefix: shape.sig,
    location: { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  const signed = sx.getSignedXml();
  return shape.prefixList ? oktaTransforms(signed, target, key) : signed;
}

// oktaTransforms gives the signature over target Okta's Transforms: the
// InclusiveNamespaces prefix list (ec: prefix) on the exc-c14n transform
// only; xml-crypto writes it on every transform, unprefixed. The digest
// does not change (the enveloped transform takes no parameters); the
// SignedInfo does, so xml-crypto signs it again.
function oktaTransforms(xml, target, key) {
  const doc = parseXML(xml);
  const owner = xpathOne(doc, target);
  const sigNode = Array.from(owner.childNodes).find((n) => n.localName === 'Signature' && n.namespaceURI === NS.ds);
  for (const t of Array.from(sigNode.getElementsByTagNameNS(NS.ds, 'Transform'))) {
    for (const inc of Array.from(t.childNodes).filter((n) => n.localName === 'InclusiveNamespaces')) {
      const list = inc.getAttribute('PrefixList');
      t.removeChild(inc);
      if (t.getAttribute('Algorithm') === ALG.excC14N) {
        const ec = doc.createElementNS(ALG.excC14N, 'ec:InclusiveNamespaces');
        ec.setAttribute('PrefixList', list);
        t.appendChild(ec);
      }
    }
  }
  const sx = new SignedXml({ privateKey: key, signatureAlgorithm: ALG.rsaSHA256, canonicalizationAlgorithm: ALG.excC14N });
  sx.signatureNode = sigNode;
  sx.calculateSignatureValue(doc);
  sigNode.getElementsByTagNameNS(NS.ds, 'SignatureValue')[0].textContent = sx.signatureValue;
  return new XMLSerializer().serializeToString(doc);
}

function xpathOne(doc, expr) {
  return xpath.select1(expr, doc);
}

function encrypt(xml, spCertPEM, algorithm) {
  const pub = new crypto.X509Certificate(spCertPEM).publicKey.export({ type: 'spki', format: 'pem' });
  return new Promise((resolve, reject) => {
    xmlenc.encrypt(xml, {
      rsa_pub: pub,
      pem: spCertPEM,
      encryptionAlgorithm: algorithm || ALG.aes256gcm,
      keyEncryptionAlgorithm: ALG.oaep,
      // AES-CBC is what Entra ID and ADFS use; xml-encryption calls it
      // insecure (no integrity: the signature inside must provide it).
      disallowEncryptionWithInsecureAlgorithm: algorithm !== ALG.aes256cbc,
      warnInsecureAlgorithm: false,
    }, (err, out) => (err ? reject(err) : resolve(out)));
  });
}

// responseXML: the whole Response, signed as r.sign says ('assertion',
// 'response', 'both', 'none'), the assertion encrypted for r.encryptCert
// when set (after the assertion is signed, before the response is).
async function responseXML(shape, r, key, cert) {
  const P = (l) => q(shape.p, l);
  const t = (ms) => iso(ms, shape.digits);
  let assertion = assertionXML(shape, r);
  if (r.sign === 'assertion' || r.sign === 'both') {
    assertion = sign(assertion, 'Assertion', key, cert, shape);
  }
  if (r.encryptCert) {
    const data = await encrypt(assertion, r.encryptCert, r.encryption);
    assertion = el(q(shape.a, 'EncryptedAssertion'), nsDecl(shape.a, NS.saml), [data]);
  }
  const issuerAttrs = shape.a ? { [`xmlns:${shape.a}`]: NS.saml, Format: shape.issuerFormat } : { xmlns: NS.saml, Format: shape.issuerFormat };
  let xml = el(P('Response'), {
    ...nsDecl(shape.p, NS.samlp), Destination: r.acs, ID: r.responseID, InResponseTo: r.inResponseTo,
    IssueInstant: t(r.now), Version: '2.0', Consent: shape.consent,
    ...(shape.xsNS ? { 'xmlns:xs': 'http://www.w3.org/2001/XMLSchema' } : {}),
  }, [
    el(shape.a ? `${shape.a}:Issuer` : 'Issuer', issuerAttrs, r.issuer),
    el(P('Status'), shape.statusNS ? nsDecl(shape.p, NS.samlp) : {}, [
      el(P('StatusCode'), { Value: r.status || 'urn:oasis:names:tc:SAML:2.0:status:Success' }),
    ]),
    assertion,
  ]);
  if (r.sign === 'response' || r.sign === 'both') {
    xml = sign(xml, 'Response', key, cert, shape);
  }
  return xml;
}

// ---- reading SP metadata and AuthnRequests ------------------------------

function parseXML(text) {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new Error('DOCTYPE refused');
  const errors = [];
  const doc = new DOMParser({ onError: (level, msg) => { if (level !== 'warning') errors.push(msg); } }).parseFromString(text, 'text/xml');
  if (errors.length || !doc.documentElement) throw new Error(`XML not well formed: ${errors.join('; ')}`);
  return doc;
}

function children(node, ns, local) {
  return Array.from(node.getElementsByTagNameNS(ns, local));
}

function readSP(xml) {
  const doc = parseXML(xml);
  const ed = doc.documentElement;
  const sso = children(ed, NS.md, 'SPSSODescriptor')[0];
  if (!sso) throw new Error('no SPSSODescriptor');
  const acs = children(sso, NS.md, 'AssertionConsumerService')
    .find((e) => e.getAttribute('Binding') === 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
  const certs = { signing: [], encryption: [] };
  for (const kd of children(sso, NS.md, 'KeyDescriptor')) {
    const use = kd.getAttribute('use');
    for (const c of children(kd, NS.ds, 'X509Certificate')) {
      for (const u of use ? [use] : ['signing', 'encryption']) certs[u].push(derToPEM(c.textContent));
    }
  }
  return {
    entityID: ed.getAttribute('entityID'),
    acs: acs && acs.getAttribute('Location'),
    authnRequestsSigned: sso.getAttribute('AuthnRequestsSigned') === 'true',
    certs,
  };
}

// rawQuery splits a query string without decoding (the redirect binding
// signs the parameters as they were sent, SAML bindings §3.4.4.1).
function rawQuery(search) {
  const out = {};
  for (const part of search.replace(/^\?/, '').split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    const k = i < 0 ? part : part.slice(0, i);
    out[k] = i < 0 ? '' : part.slice(i + 1);
  }
  return out;
}

const dec = (s) => decodeURIComponent((s || '').replace(/\+/g, ' '));

function verifyRedirectSignature(raw, sp) {
  if (!raw.Signature) {
    if (sp.authnRequestsSigned) throw new Error('AuthnRequest not signed, the SP metadata says it signs');
    return false;
  }
  if (dec(raw.SigAlg) !== ALG.rsaSHA256) throw new Error(`SigAlg ${dec(raw.SigAlg)} not accepted`);
  const signed = ['SAMLRequest', 'RelayState', 'SigAlg'].filter((k) => k in raw).map((k) => `${k}=${raw[k]}`).join('&');
  const sig = Buffer.from(dec(raw.Signature), 'base64');
  if (!sp.certs.signing.some((c) => crypto.verify('sha256', Buffer.from(signed), new crypto.X509Certificate(c).publicKey, sig))) {
    throw new Error('AuthnRequest query signature does not verify');
  }
  return true;
}

// verifyEnvelopedSignature checks the AuthnRequest's ds:Signature with
// xml-crypto against the SP's signing certificates and that it covers the
// root element (not some other element: XSW).
function verifyEnvelopedSignature(xml, doc, sp) {
  const sigs = Array.from(doc.documentElement.childNodes).filter((n) => n.localName === 'Signature' && n.namespaceURI === NS.ds);
  if (sigs.length === 0) {
    if (sp.authnRequestsSigned) throw new Error('AuthnRequest not signed, the SP metadata says it signs');
    return false;
  }
  for (const cert of sp.certs.signing) {
    const sx = new SignedXml({ publicCert: cert });
    sx.loadSignature(sigs[0]);
    let ok = false;
    try { ok = sx.checkSignature(xml); } catch (e) { ok = false; }
    if (!ok) continue;
    const refs = sx.getSignedReferences();
    const root = parseXML(refs[0] || '<x/>').documentElement;
    if (refs.length === 1 && root.localName === 'AuthnRequest' && root.getAttribute('ID') === doc.documentElement.getAttribute('ID')) return true;
    throw new Error('AuthnRequest signature covers another element');
  }
  throw new Error('AuthnRequest enveloped signature does not verify');
}

function readAuthnRequest(xml, sp, ssoURL) {
  const doc = parseXML(xml);
  const root = doc.documentElement;
  if (root.localName !== 'AuthnRequest' || root.namespaceURI !== NS.samlp) throw new Error(`not an AuthnRequest: ${root.localName}`);
  const issuer = children(root, NS.saml, 'Issuer')[0];
  if (!issuer || issuer.textContent.trim() !== sp.entityID) throw new Error(`AuthnRequest issuer ${issuer && issuer.textContent} is not the SP ${sp.entityID}`);
  const acs = root.getAttribute('AssertionConsumerServiceURL');
  if (acs && acs !== sp.acs) throw new Error(`ACS URL ${acs} is not in the SP metadata (${sp.acs})`);
  const dest = root.getAttribute('Destination');
  if (dest && dest !== ssoURL) throw new Error(`Destination ${dest} is not ${ssoURL}`);
  if (!root.getAttribute('ID')) throw new Error('AuthnRequest without ID');
  return { doc, id: root.getAttribute('ID') };
}

// ---- the server ------------------------------------------------------------

function defaultProfile() {
  return {
    shape: 'generic', // a key of SHAPES
    sign: 'assertion', // assertion | response | both | none
    encrypt: false, // encrypt the assertion for the SP's encryption certificate
    encryption: ALG.aes256gcm, // or ALG.aes256cbc
    status: '', // a non-success StatusCode to send
    user: {
      nameID: 'bob@example.org',
      nameIDFormat: FORMAT.email,
      attributes: { email: ['bob.work@example.org'], givenName: ['Bob'], sn: ['Builder'], groups: ['staff', 'admins'] },
    },
  };
}

function formPage(action, fields) {
  const inputs = Object.entries(fields).filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}"/>`).join('');
  return `<!DOCTYPE html><html><body onload="document.forms[0].submit()"><form method="post" action="${esc(action)}">${inputs}<noscript><button>Continue</button></noscript></form></body></html>`;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let n = 0;
    req.on('data', (c) => { n += c.length; if (n > 1 << 20) { reject(new Error('body too large')); req.destroy(); } else chunks.push(c); });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function serve(args) {
  const key = fs.readFileSync(args.key, 'utf8');
  const cert = fs.readFileSync(args.cert, 'utf8');
  const state = { sp: null, profile: defaultProfile(), entityID: '' };
  let base = '';

  const metadata = () => el('md:EntityDescriptor', { 'xmlns:md': NS.md, entityID: state.entityID }, [
    el('md:IDPSSODescriptor', { protocolSupportEnumeration: NS.samlp, WantAuthnRequestsSigned: 'false' }, [
      el('md:KeyDescriptor', { use: 'signing' }, [
        el('ds:KeyInfo', { 'xmlns:ds': NS.ds }, [el('ds:X509Data', {}, [el('ds:X509Certificate', {}, certBody(cert))])]),
      ]),
      ...[FORMAT.email, FORMAT.persistent, FORMAT.unspecified].map((f) => el('md:NameIDFormat', {}, f)),
      el('md:SingleSignOnService', { Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: `${base}/sso` }),
      el('md:SingleSignOnService', { Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', Location: `${base}/sso` }),
    ]),
  ]);

  const answer = async (res, inResponseTo, relayState) => {
    const sp = state.sp;
    const p = state.profile;
    const shape = SHAPES[p.shape] || SHAPES.generic;
    if (p.encrypt && sp.certs.encryption.length === 0) throw new Error('encryption asked, the SP metadata has no encryption certificate');
    const xml = await responseXML(shape, {
      issuer: state.entityID, audience: sp.entityID, acs: sp.acs, inResponseTo, now: Date.now(),
      responseID: newID(shape.idPrefix), assertionID: newID(shape.idPrefix), sessionIndex: newID('_'),
      user: p.user, sign: p.sign, status: p.status,
      encryptCert: p.encrypt ? sp.certs.encryption[0] : null, encryption: p.encryption,
    }, key, cert);
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(formPage(sp.acs, { SAMLResponse: Buffer.from(xml).toString('base64'), RelayState: relayState || undefined }));
  };

  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url, base);
    try {
      if (req.method === 'GET' && u.pathname === '/metadata') {
        res.writeHead(200, { 'Content-Type': 'application/samlmetadata+xml' });
        return res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${metadata()}`);
      }
      if (req.method === 'PUT' && u.pathname === '/sp') {
        state.sp = readSP(await readBody(req));
        res.writeHead(204);
        return res.end();
      }
      if (req.method === 'PUT' && u.pathname === '/profile') {
        state.profile = { ...defaultProfile(), ...JSON.parse(await readBody(req)) };
        res.writeHead(204);
        return res.end();
      }
      if (!state.sp) throw new Error('no SP metadata yet (PUT /sp)');
      if (u.pathname === '/sso' && req.method === 'GET') {
        const raw = rawQuery(u.search);
        if (!raw.SAMLRequest) throw new Error('SAMLRequest missing');
        verifyRedirectSignature(raw, state.sp);
        const xml = zlib.inflateRawSync(Buffer.from(dec(raw.SAMLRequest), 'base64')).toString('utf8');
        const ar = readAuthnRequest(xml, state.sp, `${base}/sso`);
        return await answer(res, ar.id, raw.RelayState === undefined ? undefined : dec(raw.RelayState));
      }
      if (u.pathname === '/sso' && req.method === 'POST') {
        const form = new URLSearchParams(await readBody(req));
        const xml = Buffer.from(form.get('SAMLRequest') || '', 'base64').toString('utf8');
        const ar = readAuthnRequest(xml, state.sp, `${base}/sso`);
        verifyEnvelopedSignature(xml, ar.doc, state.sp);
        return await answer(res, ar.id, form.has('RelayState') ? form.get('RelayState') : undefined);
      }
      if (u.pathname === '/idp-initiated' && req.method === 'GET') {
        return await answer(res, undefined, u.searchParams.get('RelayState') || undefined);
      }
      res.writeHead(404);
      res.end('not found');
    } catch (e) {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end(`node IdP: ${e.message}`);
    }
  });
  server.listen(0, '127.0.0.1', () => {
    base = `http://127.0.0.1:${server.address().port}`;
    state.entityID = args.entity || `${base}/metadata`;
    process.stdout.write(`${JSON.stringify({ url: base, entityID: state.entityID })}\n`);
  });
  // The test holds our stdin; when it ends (test over, or the test
  // binary died), so do we.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}

// ---- fixtures ---------------------------------------------------------------

// Fixtures are the responses of three IdPs as they send them (shapes as
// documented and as seen on the wire), signed with the committed test keys
// at a fixed instant; fixtures_test.go verifies them with the clock at
// fixtureNow. The values here are the tests' expectations: keep in step.
async function fixtures() {
  const dir = path.join(__dirname, '..', 'fixtures');
  const rd = (f) => fs.readFileSync(path.join(dir, 'keys', f), 'utf8');
  const now = Date.parse('2027-01-15T10:00:00.000Z');
  const spCert = rd('sp-cert.pem');
  const ms = 'http://schemas.microsoft.com/';
  const xs = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/';
  const all = [
    {
      name: 'entra', shape: 'entra', sign: 'assertion', idp: 'entra',
      issuer: 'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/',
      sso: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/saml2',
      user: {
        nameID: 'alice@contoso.example', nameIDFormat: FORMAT.email,
        attributes: {
          [`${ms}identity/claims/tenantid`]: ['72f988bf-86f1-41af-91ab-2d7cd011db47'],
          [`${ms}identity/claims/objectidentifier`]: ['4f1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'],
          [`${ms}identity/claims/displayname`]: ['Alice Adams'],
          [`${ms}ws/2008/06/identity/claims/groups`]: ['b1c2d3e4-0000-4000-8000-000000000001', 'b1c2d3e4-0000-4000-8000-000000000002'],
          [`${ms}identity/claims/identityprovider`]: ['https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/'],
          [`${ms}claims/authnmethodsreferences`]: ['http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password', 'http://schemas.microsoft.com/claims/multipleauthn'],
          [`${xs}givenname`]: ['Alice'],
          [`${xs}surname`]: ['Adams'],
          [`${xs}emailaddress`]: ['alice.adams@contoso.example'],
          [`${xs}name`]: ['alice@contoso.example'],
        },
      },
    },
    {
      name: 'adfs', shape: 'adfs', sign: 'assertion', idp: 'adfs', encrypt: ALG.aes256cbc,
      issuer: 'http://adfs.fabrikam.example/adfs/services/trust',
      sso: 'https://adfs.fabrikam.example/adfs/ls/',
      user: {
        nameID: 'Ugo1Vq3Y0kG8p1Xb8m2cXw==', nameIDFormat: FORMAT.persistent,
        attributes: {
          [`${xs}upn`]: ['carol@fabrikam.example'],
          [`${xs}emailaddress`]: ['carol.clark@fabrikam.example'],
          [`${xs}givenname`]: ['Carol'],
          [`${xs}surname`]: ['Clark'],
          'http://schemas.xmlsoap.org/claims/Group': ['Domain Users', 'Sesame Admins'],
          [`${ms}ws/2008/06/identity/claims/role`]: ['Admin'],
        },
      },
    },
    {
      name: 'okta', shape: 'okta', sign: 'both', idp: 'okta',
      issuer: 'http://www.okta.com/exk1fcia6d6EMsf331d8',
      sso: 'https://example.okta.com/app/sesame/exk1fcia6d6EMsf331d8/sso/saml',
      user: {
        nameID: 'dave@initech.example', nameIDFormat: FORMAT.unspecified,
        attributes: {
          email: ['dave@initech.example'],
          firstName: ['Dave'],
          lastName: ['Davis'],
          groups: ['Everyone', 'Engineering'],
        },
      },
    },
    {
      // Google Workspace with "Signed response" ticked: the Response is
      // signed, the Assertion inside it is not (OpenSAML's shape).
      name: 'google', shape: 'google', sign: 'response', idp: 'google',
      issuer: 'https://accounts.google.com/o/saml2?idpid=C01abcdef',
      sso: 'https://accounts.google.com/o/saml2/idp?idpid=C01abcdef',
      user: {
        nameID: 'erin@globex.example', nameIDFormat: FORMAT.email,
        attributes: { firstName: ['Erin'], lastName: ['Evans'], department: ['Sales'] },
      },
    },
  ];
  // Variants: the same login signed with another key. entra-rollover:
  // Entra's next certificate, published in its metadata beside the
  // current one (accepted: both are trusted during a rollover);
  // adfs-wrongkey: the key of ADFS's token-decrypting certificate, which
  // its metadata publishes for encryption only (refused).
  const variants = [
    { name: 'entra-rollover', base: 'entra', key: 'entra-next' },
    { name: 'adfs-wrongkey', base: 'adfs', key: 'adfs-enc', encrypt: '' },
  ];
  const byName = Object.fromEntries(all.map((f) => [f.name, f]));
  for (const v of [...all, ...variants]) {
    const f = { ...(byName[v.base] || v), ...v };
    const base = v.base || v.name;
    const key = rd(`${f.key || f.idp}-key.pem`);
    const cert = rd(`${f.key || f.idp}-cert.pem`);
    const shape = SHAPES[f.shape];
    const sp = `https://sesame.test/saml/${base}`;
    const xml = await responseXML(shape, {
      issuer: f.issuer, audience: `${sp}/metadata`, acs: `${sp}/acs`, inResponseTo: `id-${base}-request-1`, now,
      responseID: `${shape.idPrefix}${f.name}-response-1`, assertionID: `${shape.idPrefix}${f.name}-assertion-1`,
      sessionIndex: `_${base}-session-1`, user: f.user, sign: f.sign,
      encryptCert: f.encrypt ? spCert : null, encryption: f.encrypt,
    }, key, cert);
    fs.writeFileSync(path.join(dir, `${f.name}-response.xml`), xml);
    process.stdout.write(`wrote ${f.name}-response.xml\n`);
    if (v.base) continue;
    const md = METADATA[f.idp](f, rd);
    fs.writeFileSync(path.join(dir, `${f.name}-metadata.xml`), md);
    process.stdout.write(`wrote ${f.name}-metadata.xml\n`);
  }
}

// The IdPs' metadata in the shape each publishes (what a tenant admin
// uploads, R-SAML-1). Entra ID and ADFS sign theirs and list WS-Federation
// RoleDescriptors first; Entra lists its next signing certificate during a
// rollover; ADFS's entity is an SP too and publishes a token-decrypting
// (encryption) certificate; Okta's is small, md:-prefixed, its certificate
// line-wrapped.
const BINDING = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
};
const WSFED = 'http://docs.oasis-open.org/wsfed/federation/200706';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

function keyDescriptor(use, pem, prefix) {
  const md = (l) => q(prefix, l);
  return el(md('KeyDescriptor'), { use }, [
    el('KeyInfo', { xmlns: NS.ds }, [el('X509Data', {}, [el('X509Certificate', {}, certBody(pem))])]),
  ]);
}

function wsfedRole(type, cert, endpoint) {
  return el('RoleDescriptor', { 'xsi:type': `fed:${type}`, protocolSupportEnumeration: WSFED, 'xmlns:xsi': XSI, 'xmlns:fed': WSFED }, [
    keyDescriptor('signing', cert),
    el(`fed:${type === 'SecurityTokenServiceType' ? 'PassiveRequestorEndpoint' : 'ApplicationServiceEndpoint'}`, {}, [
      el('wsa:EndpointReference', { 'xmlns:wsa': 'http://www.w3.org/2005/08/addressing' }, [el('wsa:Address', {}, endpoint)]),
    ]),
  ]);
}

// signMetadata: an enveloped signature over the EntityDescriptor, first
// child (as Entra ID and ADFS place it).
function signMetadata(xml, key, cert, prefix) {
  const sx = new SignedXml({ privateKey: key, publicCert: cert, signatureAlgorithm: ALG.rsaSHA256, canonicalizationAlgorithm: ALG.excC14N });
  sx.addReference({ xpath: "/*[local-name(.)='EntityDescriptor']", transforms: [ALG.enveloped, ALG.excC14N], digestAlgorithm: ALG.sha256 });
  sx.computeSignature(xml, { prefix, location: { reference: "/*[local-name(.)='EntityDescriptor']", action: 'prepend' } });
  return sx.getSignedXml();
}

const METADATA = {
  entra(f, rd) {
    const cert = rd('entra-cert.pem');
    const next = rd('entra-next-cert.pem');
    const xml = el('EntityDescriptor', { ID: '_entra-metadata', entityID: f.issuer, xmlns: NS.md }, [
      wsfedRole('SecurityTokenServiceType', cert, f.sso.replace(/saml2$/, 'wsfed')),
      wsfedRole('ApplicationServiceType', cert, f.sso.replace(/saml2$/, 'wsfed')),
      el('IDPSSODescriptor', { protocolSupportEnumeration: NS.samlp }, [
        keyDescriptor('signing', cert),
        keyDescriptor('signing', next),
        el('SingleLogoutService', { Binding: BINDING.redirect, Location: f.sso }),
        el('SingleSignOnService', { Binding: BINDING.redirect, Location: f.sso }),
        el('SingleSignOnService', { Binding: BINDING.post, Location: f.sso }),
      ]),
    ]);
    return `<?xml version="1.0" encoding="utf-8"?>${signMetadata(xml, rd('entra-key.pem'), cert, '')}`;
  },
  adfs(f, rd) {
    const cert = rd('adfs-cert.pem');
    const enc = rd('adfs-enc-cert.pem');
    const ls = f.sso;
    const claims = [
      ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', 'E-Mail Address'],
      ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', 'UPN'],
      ['http://schemas.xmlsoap.org/claims/Group', 'Group'],
    ];
    const xml = el('EntityDescriptor', { ID: '_adfs-metadata', entityID: f.issuer, xmlns: NS.md }, [
      wsfedRole('ApplicationServiceType', cert, ls),
      wsfedRole('SecurityTokenServiceType', cert, ls),
      el('SPSSODescriptor', { WantAssertionsSigned: 'true', protocolSupportEnumeration: NS.samlp }, [
        keyDescriptor('encryption', enc),
        keyDescriptor('signing', cert),
        el('SingleLogoutService', { Binding: BINDING.redirect, Location: ls }),
        el('NameIDFormat', {}, FORMAT.email),
        el('NameIDFormat', {}, FORMAT.persistent),
        el('NameIDFormat', {}, FORMAT.transient),
        el('AssertionConsumerService', { Binding: BINDING.post, Location: ls, index: '0', isDefault: 'true' }),
      ]),
      el('IDPSSODescriptor', { protocolSupportEnumeration: NS.samlp }, [
        keyDescriptor('encryption', enc),
        keyDescriptor('signing', cert),
        el('SingleLogoutService', { Binding: BINDING.redirect, Location: ls }),
        el('SingleLogoutService', { Binding: BINDING.post, Location: ls }),
        el('NameIDFormat', {}, FORMAT.email),
        el('NameIDFormat', {}, FORMAT.persistent),
        el('NameIDFormat', {}, FORMAT.transient),
        el('SingleSignOnService', { Binding: BINDING.redirect, Location: ls }),
        el('SingleSignOnService', { Binding: BINDING.post, Location: ls }),
        ...claims.map(([name, friendly]) => el('Attribute', { Name: name, NameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri', FriendlyName: friendly, xmlns: NS.saml })),
      ]),
    ]);
    return `<?xml version="1.0" encoding="utf-8"?>${signMetadata(xml, rd('adfs-key.pem'), cert, 'ds')}`;
  },
  google(f, rd) {
    const cert = rd('google-cert.pem');
    const xml = el('md:EntityDescriptor', { 'xmlns:md': NS.md, entityID: f.issuer, validUntil: '2031-11-30T10:00:00.000Z' }, [
      el('md:IDPSSODescriptor', { WantAuthnRequestsSigned: 'false', protocolSupportEnumeration: NS.samlp }, [
        el('md:KeyDescriptor', { use: 'signing' }, [
          el('ds:KeyInfo', { 'xmlns:ds': NS.ds }, [el('ds:X509Data', {}, [el('ds:X509Certificate', {}, certBody(cert))])]),
        ]),
        el('md:NameIDFormat', {}, FORMAT.email),
        el('md:SingleSignOnService', { Binding: BINDING.redirect, Location: f.sso }),
        el('md:SingleSignOnService', { Binding: BINDING.post, Location: f.sso }),
      ]),
    ]);
    return `<?xml version="1.0" encoding="UTF-8" standalone="no"?>${xml}`;
  },
  okta(f, rd) {
    const cert = rd('okta-cert.pem');
    const wrapped = `\n${certBody(cert).match(/.{1,64}/g).join('\n')}\n`;
    const xml = el('md:EntityDescriptor', { 'xmlns:md': NS.md, entityID: f.issuer }, [
      el('md:IDPSSODescriptor', { WantAuthnRequestsSigned: 'false', protocolSupportEnumeration: NS.samlp }, [
        el('md:KeyDescriptor', { use: 'signing' }, [
          el('ds:KeyInfo', { 'xmlns:ds': NS.ds }, [el('ds:X509Data', {}, [el('ds:X509Certificate', {}, wrapped)])]),
        ]),
        el('md:NameIDFormat', {}, FORMAT.unspecified),
        el('md:NameIDFormat', {}, FORMAT.email),
        el('md:SingleSignOnService', { Binding: BINDING.post, Location: f.sso }),
        el('md:SingleSignOnService', { Binding: BINDING.redirect, Location: f.sso }),
      ]),
    ]);
    return `<?xml version="1.0" encoding="UTF-8"?>${xml}`;
  },
};

// ---- main -------------------------------------------------------------------

function flags(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === 'serve') {
  serve(flags(rest));
} else if (cmd === 'fixtures') {
  fixtures().catch((e) => { console.error(e); process.exit(1); });
} else {
  console.error('usage: idp.js serve --key K.pem --cert C.pem [--entity ID] | idp.js fixtures');
  process.exit(2);
}
