<?php
// The service providers the test registered: SAML_IDP_DIR/sps.json, [{"entity_id", "acs_url"}].
$file = getenv('SAML_IDP_DIR') . '/sps.json';
foreach (file_exists($file) ? json_decode(file_get_contents($file), true) : [] as $sp) {
    $metadata[$sp['entity_id']] = [
        'AssertionConsumerService' => $sp['acs_url'],
        'NameIDFormat' => 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    ];
}
