<?php
// One username/password source whose accounts the test writes to SAML_IDP_DIR/accounts.json:
// {"login": {"email", "given_name", "family_name", "groups": [...]}}; every password is "password".
$users = ['exampleauth:UserPass'];
$accounts = json_decode(file_get_contents(getenv('SAML_IDP_DIR') . '/accounts.json'), true);
foreach ($accounts as $login => $account) {
    $users[$login . ':password'] = [
        'uid' => [$login],
        'email' => [$account['email']],
        'givenName' => [$account['given_name'] ?? ''],
        'sn' => [$account['family_name'] ?? ''],
        'groups' => $account['groups'] ?? [],
    ];
}
$config = [
    'admin' => ['core:AdminPassword'],
    'users' => $users,
];
