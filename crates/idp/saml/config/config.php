<?php
// SimpleSAMLphp as a SAML 2.0 IdP for Gatehouse's tests, run by `php -S` (see
// crates/idp/src/saml.rs). Everything that changes per run lives in SAML_IDP_DIR.
$dir = getenv('SAML_IDP_DIR');
$config = [
    'baseurlpath' => getenv('SAML_IDP_BASE_URL') . '/',
    'certdir' => $dir . '/',
    'loggingdir' => $dir . '/',
    'datadir' => $dir . '/',
    'tempdir' => $dir . '/tmp',
    'metadatadir' => __DIR__ . '/../metadata/',
    'secretsalt' => 'gatehouse-tests-only-salt',
    'auth.adminpassword' => bin2hex(random_bytes(16)),
    'technicalcontact_name' => 'Gatehouse tests',
    'technicalcontact_email' => 'tests@example.org',
    'timezone' => 'UTC',
    'enable.saml20-idp' => true,
    'module.enable' => ['exampleauth' => true, 'core' => true, 'saml' => true],
    'logging.handler' => 'file',
    'logging.logfile' => 'simplesamlphp.log',
    'logging.level' => SimpleSAML\Logger::INFO,
    'showerrors' => true,
    'store.type' => 'phpsession',
    'session.phpsession.savepath' => $dir,
    // Plain http on loopback: Debian's default (secure cookies) would lose the session.
    'session.cookie.secure' => false,
    'session.cookie.samesite' => null,
    'language.cookie.secure' => false,
    'admin.checkforupdates' => false,
];
