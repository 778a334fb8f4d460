# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_gatewayctl_global_optspecs
    string join \n socket= json wide timeout= h/help V/version
end

function __fish_gatewayctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_gatewayctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_gatewayctl_using_subcommand
    set -l cmd (__fish_gatewayctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -f -a "account" -d 'Upstream accounts in the pool'
complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -f -a "accounts" -d 'Upstream accounts in the pool'
complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -f -a "key" -d 'Gateway keys that clients present'
complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -f -a "keys" -d 'Gateway keys that clients present'
complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -f -a "route" -d 'How requests are placed on the pool'
complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -f -a "stats" -d 'Counted requests and tokens'
complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -f -a "log" -d 'The request log (redacted: ids, statuses, timings, tokens)'
complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -f -a "audit" -d 'The tamper-evident audit log: control-plane changes and security events'
complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -f -a "alerts" -d 'Alert webhooks'
complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -f -a "status" -d 'Daemon version, uptime, address and counts'
complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -f -a "prices" -d 'The price table cost is estimated from (the config\'s rows, then the shipped ones)'
complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -f -a "backup" -d 'Write a consistent backup of all state to FILE while the daemon runs (the master key is not included; restore with `gatewayd restore FILE --data-dir DIR`)'
complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -f -a "config" -d 'The daemon\'s configuration file'
complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -f -a "completions" -d 'Print a shell completion script (the same as the files in completions/)'
complete -c gatewayctl -n "__fish_gatewayctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "add" -d 'Add an upstream account; its credential is read from a file, stdin or a hidden prompt'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "list" -d 'List accounts with their status'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "ls" -d 'List accounts with their status'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "show" -d 'Show one account'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "update" -d 'Change an account\'s settings or credential'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "remove" -d 'Remove an account from the pool for good (asks on a terminal; scripts pass --yes)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "rm" -d 'Remove an account from the pool for good (asks on a terminal; scripts pass --yes)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "disable" -d 'Take an account out of rotation'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "enable" -d 'Put an account back into rotation, clearing errors and cool-downs'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "drain" -d 'Stop new requests to an account; with --wait, follow its in-flight requests to zero'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "undrain" -d 'Return a drained account to service'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "test" -d 'One live call through the account; prints latency and result'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "import" -d 'Add a subscription account from an existing login (Claude Code\'s ~/.claude/.credentials.json, Gemini CLI\'s ~/.gemini/oauth_creds.json, a token JSON, or a long-lived setup token)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "refresh" -d 'Refresh an OAuth account\'s access token now'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "usage" -d 'A subscription\'s rate-limit windows (5h/7d utilisation and resets) as last reported'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "login" -d 'Log in to a Claude subscription or a Google account (Gemini CLI) in a browser and add it (authorization code + PKCE, code pasted back)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -l name -d 'A name unique among accounts (asked for on a terminal if missing)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -l type -d 'Which clients the account serves (asked for on a terminal if missing)' -r -f -a "claude-code\t''
gemini-cli\t''"
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -l auth -d 'How the gateway authenticates upstream' -r -f -a "api-key\t''
oauth\t'A subscription login; use `account import` to bring one in'"
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -l api-key-file -d 'Read the upstream API key from this file' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -l base-url -d 'Upstream base URL [default: the provider\'s public API]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -l weight -d 'Share of traffic under weighted-round-robin (1 or more)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -l priority -d 'Lower numbers are used first; higher ones only when those are unusable' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -l models -d 'Comma-separated model patterns this account serves (`*` wildcard) [default: all]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -l max-concurrency -d 'Requests in flight at most; a full account is skipped (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -l proxy -d 'Upstream proxy for this account, http(s)://host:port (`none` removes it on update)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -l proxy-file -d 'Read the proxy URL from a file, for URLs that carry a password' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -l project -d 'gemini-cli OAuth: the Google Cloud project to bill [default: discovered]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -l serves -d 'Which clients it serves: claude-code (the default of Claude subscriptions), any, or default (the account type\'s own rule)' -r -f -a "claude-code\t''
any\t''
default\t''"
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -l pause-at -d 'Pause new sessions on it once a subscription window is this used: 95%, 0.95, or off' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -l api-key-stdin -d 'Read the upstream API key from standard input'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from list" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from list" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from list" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from ls" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from ls" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from ls" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from ls" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from show" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from show" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from show" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from show" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from update" -l name -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from update" -l base-url -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from update" -l weight -d 'Share of traffic under weighted-round-robin (1 or more)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from update" -l priority -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from update" -l models -d 'Comma-separated model patterns this account serves (`*` wildcard)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from update" -l max-concurrency -d 'Requests in flight at most (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from update" -l serves -d 'Which clients it serves: claude-code (the default of Claude subscriptions), any, or default (the account type\'s own rule)' -r -f -a "claude-code\t''
any\t''
default\t''"
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from update" -l pause-at -d 'Pause new sessions on it once a subscription window is this used: 95%, 0.95, or off' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from update" -l api-key-file -d 'Read the upstream API key from this file' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from update" -l proxy -d 'Upstream proxy for this account, http(s)://host:port (`none` removes it on update)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from update" -l proxy-file -d 'Read the proxy URL from a file, for URLs that carry a password' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from update" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from update" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from update" -l api-key-stdin -d 'Read the upstream API key from standard input'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from update" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from update" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from remove" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from remove" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from remove" -l yes
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from remove" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from remove" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from rm" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from rm" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from rm" -l yes
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from rm" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from rm" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from disable" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from disable" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from disable" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from disable" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from disable" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from disable" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from enable" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from enable" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from enable" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from enable" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from enable" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from enable" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from drain" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from drain" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from drain" -l wait -d 'Wait until nothing is in flight (bounded by --timeout, default 10m)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from drain" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from drain" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from drain" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from drain" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from undrain" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from undrain" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from undrain" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from undrain" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from undrain" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from undrain" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from test" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from test" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from test" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from test" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from test" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from import" -l name -d 'A name unique among accounts (asked for on a terminal if missing)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from import" -l type -d 'Which clients the account serves' -r -f -a "claude-code\t''
gemini-cli\t''"
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from import" -l base-url -d 'Upstream base URL [default: the provider\'s public API]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from import" -l weight -d 'Share of traffic under weighted-round-robin (1 or more)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from import" -l priority -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from import" -l project -d 'gemini-cli: the Google Cloud project to bill [default: discovered from the login]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from import" -l serves -d 'Which clients it serves: claude-code (the default of Claude subscriptions), any, or default (the account type\'s own rule)' -r -f -a "claude-code\t''
any\t''
default\t''"
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from import" -l pause-at -d 'Pause new sessions on it once a subscription window is this used: 95%, 0.95, or off' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from import" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from import" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from import" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from import" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from refresh" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from refresh" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from refresh" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from refresh" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from refresh" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from refresh" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from usage" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from usage" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from usage" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from usage" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from usage" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from usage" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from login" -l name -d 'A name unique among accounts (asked for on a terminal if missing)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from login" -l base-url -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from login" -l priority -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from login" -l project -d 'gemini-cli: the Google Cloud project to bill [default: discovered from the login]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from login" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from login" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from login" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from login" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from login" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from login" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add an upstream account; its credential is read from a file, stdin or a hidden prompt'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "list" -d 'List accounts with their status'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one account'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change an account\'s settings or credential'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove an account from the pool for good (asks on a terminal; scripts pass --yes)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "disable" -d 'Take an account out of rotation'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "enable" -d 'Put an account back into rotation, clearing errors and cool-downs'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "drain" -d 'Stop new requests to an account; with --wait, follow its in-flight requests to zero'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "undrain" -d 'Return a drained account to service'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "test" -d 'One live call through the account; prints latency and result'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "import" -d 'Add a subscription account from an existing login (Claude Code\'s ~/.claude/.credentials.json, Gemini CLI\'s ~/.gemini/oauth_creds.json, a token JSON, or a long-lived setup token)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "refresh" -d 'Refresh an OAuth account\'s access token now'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "usage" -d 'A subscription\'s rate-limit windows (5h/7d utilisation and resets) as last reported'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "login" -d 'Log in to a Claude subscription or a Google account (Gemini CLI) in a browser and add it (authorization code + PKCE, code pasted back)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "add" -d 'Add an upstream account; its credential is read from a file, stdin or a hidden prompt'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "list" -d 'List accounts with their status'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "ls" -d 'List accounts with their status'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "show" -d 'Show one account'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "update" -d 'Change an account\'s settings or credential'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "remove" -d 'Remove an account from the pool for good (asks on a terminal; scripts pass --yes)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "rm" -d 'Remove an account from the pool for good (asks on a terminal; scripts pass --yes)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "disable" -d 'Take an account out of rotation'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "enable" -d 'Put an account back into rotation, clearing errors and cool-downs'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "drain" -d 'Stop new requests to an account; with --wait, follow its in-flight requests to zero'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "undrain" -d 'Return a drained account to service'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "test" -d 'One live call through the account; prints latency and result'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "import" -d 'Add a subscription account from an existing login (Claude Code\'s ~/.claude/.credentials.json, Gemini CLI\'s ~/.gemini/oauth_creds.json, a token JSON, or a long-lived setup token)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "refresh" -d 'Refresh an OAuth account\'s access token now'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "usage" -d 'A subscription\'s rate-limit windows (5h/7d utilisation and resets) as last reported'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "login" -d 'Log in to a Claude subscription or a Google account (Gemini CLI) in a browser and add it (authorization code + PKCE, code pasted back)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and not __fish_seen_subcommand_from add list ls show update remove rm disable enable drain undrain test import refresh usage login help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -l name -d 'A name unique among accounts (asked for on a terminal if missing)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -l type -d 'Which clients the account serves (asked for on a terminal if missing)' -r -f -a "claude-code\t''
gemini-cli\t''"
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -l auth -d 'How the gateway authenticates upstream' -r -f -a "api-key\t''
oauth\t'A subscription login; use `account import` to bring one in'"
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -l api-key-file -d 'Read the upstream API key from this file' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -l base-url -d 'Upstream base URL [default: the provider\'s public API]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -l weight -d 'Share of traffic under weighted-round-robin (1 or more)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -l priority -d 'Lower numbers are used first; higher ones only when those are unusable' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -l models -d 'Comma-separated model patterns this account serves (`*` wildcard) [default: all]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -l max-concurrency -d 'Requests in flight at most; a full account is skipped (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -l proxy -d 'Upstream proxy for this account, http(s)://host:port (`none` removes it on update)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -l proxy-file -d 'Read the proxy URL from a file, for URLs that carry a password' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -l project -d 'gemini-cli OAuth: the Google Cloud project to bill [default: discovered]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -l serves -d 'Which clients it serves: claude-code (the default of Claude subscriptions), any, or default (the account type\'s own rule)' -r -f -a "claude-code\t''
any\t''
default\t''"
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -l pause-at -d 'Pause new sessions on it once a subscription window is this used: 95%, 0.95, or off' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -l api-key-stdin -d 'Read the upstream API key from standard input'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from list" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from list" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from list" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from ls" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from ls" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from ls" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from ls" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from show" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from show" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from show" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from show" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from update" -l name -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from update" -l base-url -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from update" -l weight -d 'Share of traffic under weighted-round-robin (1 or more)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from update" -l priority -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from update" -l models -d 'Comma-separated model patterns this account serves (`*` wildcard)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from update" -l max-concurrency -d 'Requests in flight at most (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from update" -l serves -d 'Which clients it serves: claude-code (the default of Claude subscriptions), any, or default (the account type\'s own rule)' -r -f -a "claude-code\t''
any\t''
default\t''"
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from update" -l pause-at -d 'Pause new sessions on it once a subscription window is this used: 95%, 0.95, or off' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from update" -l api-key-file -d 'Read the upstream API key from this file' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from update" -l proxy -d 'Upstream proxy for this account, http(s)://host:port (`none` removes it on update)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from update" -l proxy-file -d 'Read the proxy URL from a file, for URLs that carry a password' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from update" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from update" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from update" -l api-key-stdin -d 'Read the upstream API key from standard input'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from update" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from update" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from remove" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from remove" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from remove" -l yes
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from remove" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from remove" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from rm" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from rm" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from rm" -l yes
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from rm" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from rm" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from disable" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from disable" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from disable" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from disable" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from disable" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from disable" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from enable" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from enable" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from enable" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from enable" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from enable" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from enable" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from drain" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from drain" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from drain" -l wait -d 'Wait until nothing is in flight (bounded by --timeout, default 10m)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from drain" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from drain" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from drain" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from drain" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from undrain" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from undrain" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from undrain" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from undrain" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from undrain" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from undrain" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from test" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from test" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from test" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from test" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from test" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from import" -l name -d 'A name unique among accounts (asked for on a terminal if missing)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from import" -l type -d 'Which clients the account serves' -r -f -a "claude-code\t''
gemini-cli\t''"
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from import" -l base-url -d 'Upstream base URL [default: the provider\'s public API]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from import" -l weight -d 'Share of traffic under weighted-round-robin (1 or more)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from import" -l priority -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from import" -l project -d 'gemini-cli: the Google Cloud project to bill [default: discovered from the login]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from import" -l serves -d 'Which clients it serves: claude-code (the default of Claude subscriptions), any, or default (the account type\'s own rule)' -r -f -a "claude-code\t''
any\t''
default\t''"
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from import" -l pause-at -d 'Pause new sessions on it once a subscription window is this used: 95%, 0.95, or off' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from import" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from import" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from import" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from import" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from refresh" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from refresh" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from refresh" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from refresh" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from refresh" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from refresh" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from usage" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from usage" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from usage" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from usage" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from usage" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from usage" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from login" -l name -d 'A name unique among accounts (asked for on a terminal if missing)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from login" -l base-url -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from login" -l priority -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from login" -l project -d 'gemini-cli: the Google Cloud project to bill [default: discovered from the login]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from login" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from login" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from login" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from login" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from login" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from login" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add an upstream account; its credential is read from a file, stdin or a hidden prompt'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from help" -f -a "list" -d 'List accounts with their status'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one account'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change an account\'s settings or credential'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove an account from the pool for good (asks on a terminal; scripts pass --yes)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from help" -f -a "disable" -d 'Take an account out of rotation'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from help" -f -a "enable" -d 'Put an account back into rotation, clearing errors and cool-downs'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from help" -f -a "drain" -d 'Stop new requests to an account; with --wait, follow its in-flight requests to zero'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from help" -f -a "undrain" -d 'Return a drained account to service'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from help" -f -a "test" -d 'One live call through the account; prints latency and result'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from help" -f -a "import" -d 'Add a subscription account from an existing login (Claude Code\'s ~/.claude/.credentials.json, Gemini CLI\'s ~/.gemini/oauth_creds.json, a token JSON, or a long-lived setup token)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from help" -f -a "refresh" -d 'Refresh an OAuth account\'s access token now'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from help" -f -a "usage" -d 'A subscription\'s rate-limit windows (5h/7d utilisation and resets) as last reported'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from help" -f -a "login" -d 'Log in to a Claude subscription or a Google account (Gemini CLI) in a browser and add it (authorization code + PKCE, code pasted back)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand accounts; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -f -a "create" -d 'Issue a key; its secret is printed once, here'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -f -a "list" -d 'List keys (revoked and expired ones with --all)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -f -a "ls" -d 'List keys (revoked and expired ones with --all)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -f -a "show" -d 'Show one key'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -f -a "update" -d 'Change a key\'s settings; its secret stays the same'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -f -a "rotate" -d 'Issue a new secret for the same key; printed once'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -f -a "revoke" -d 'Revoke a key at once'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -f -a "delete" -d 'Delete a key for good (asks on a terminal; scripts pass --yes)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -l name -d 'A name to recognise the key by (asked for on a terminal if missing)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -l permissions -d 'Comma-separated: read, write, admin' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -l expires -d 'Expiry: a duration from now (30d, 12h) or an RFC 3339 time' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -l providers -d 'Comma-separated providers the key may use [default: all]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -l models -d 'Comma-separated model patterns (`*` wildcard), e.g. \'claude-*,gemini-2.5-*\' [default: all]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -l rpm -d 'Requests per minute (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -l rph -d 'Requests per hour (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -l tpm -d 'Input+output tokens per minute (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -l tpd -d 'Input+output tokens per day (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -l rps -d 'Token bucket: sustained requests per second (0 = none)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -l burst -d 'Token bucket: burst above the sustained rate (0 = the rate)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -l max-concurrent -d 'Requests in flight at most (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -l budget-usd -d 'Spend budgets in US dollars per calendar day, week (from Monday) and month (UTC) and in total, any subset: day=5,week=20,month=60,total=500 (0 removes one)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -l allow-ip -d 'Comma-separated networks (CIDR) the key may be used from [default: anywhere]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -l deny-ip -d 'Comma-separated networks (CIDR) the key is refused from' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -l note -d 'Free text for operators' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from list" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from list" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from list" -l all
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from list" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from ls" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from ls" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from ls" -l all
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from ls" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from ls" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from show" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from show" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from show" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from show" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -l name -d 'A new name' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -l permissions -d 'Comma-separated: read, write, admin' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -l expires -d 'A duration from now (30d), an RFC 3339 time, or `never`' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -l providers -d 'Comma-separated providers the key may use [default: all]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -l models -d 'Comma-separated model patterns (`*` wildcard), e.g. \'claude-*,gemini-2.5-*\' [default: all]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -l rpm -d 'Requests per minute (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -l rph -d 'Requests per hour (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -l tpm -d 'Input+output tokens per minute (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -l tpd -d 'Input+output tokens per day (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -l rps -d 'Token bucket: sustained requests per second (0 = none)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -l burst -d 'Token bucket: burst above the sustained rate (0 = the rate)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -l max-concurrent -d 'Requests in flight at most (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -l budget-usd -d 'Spend budgets in US dollars per calendar day, week (from Monday) and month (UTC) and in total, any subset: day=5,week=20,month=60,total=500 (0 removes one)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -l allow-ip -d 'Comma-separated networks (CIDR) the key may be used from [default: anywhere]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -l deny-ip -d 'Comma-separated networks (CIDR) the key is refused from' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -l note -d 'Free text for operators' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from rotate" -l grace -d 'How long the old secret keeps working (0 = it stops at once)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from rotate" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from rotate" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from rotate" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from rotate" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from rotate" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from rotate" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from revoke" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from revoke" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from revoke" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from revoke" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from revoke" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from delete" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from delete" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from delete" -l yes -d 'Do not ask for confirmation'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from delete" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from delete" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "create" -d 'Issue a key; its secret is printed once, here'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "list" -d 'List keys (revoked and expired ones with --all)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one key'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change a key\'s settings; its secret stays the same'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "rotate" -d 'Issue a new secret for the same key; printed once'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke a key at once'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a key for good (asks on a terminal; scripts pass --yes)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -f -a "create" -d 'Issue a key; its secret is printed once, here'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -f -a "list" -d 'List keys (revoked and expired ones with --all)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -f -a "ls" -d 'List keys (revoked and expired ones with --all)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -f -a "show" -d 'Show one key'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -f -a "update" -d 'Change a key\'s settings; its secret stays the same'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -f -a "rotate" -d 'Issue a new secret for the same key; printed once'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -f -a "revoke" -d 'Revoke a key at once'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -f -a "delete" -d 'Delete a key for good (asks on a terminal; scripts pass --yes)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and not __fish_seen_subcommand_from create list ls show update rotate revoke delete help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -l name -d 'A name to recognise the key by (asked for on a terminal if missing)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -l permissions -d 'Comma-separated: read, write, admin' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -l expires -d 'Expiry: a duration from now (30d, 12h) or an RFC 3339 time' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -l providers -d 'Comma-separated providers the key may use [default: all]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -l models -d 'Comma-separated model patterns (`*` wildcard), e.g. \'claude-*,gemini-2.5-*\' [default: all]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -l rpm -d 'Requests per minute (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -l rph -d 'Requests per hour (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -l tpm -d 'Input+output tokens per minute (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -l tpd -d 'Input+output tokens per day (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -l rps -d 'Token bucket: sustained requests per second (0 = none)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -l burst -d 'Token bucket: burst above the sustained rate (0 = the rate)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -l max-concurrent -d 'Requests in flight at most (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -l budget-usd -d 'Spend budgets in US dollars per calendar day, week (from Monday) and month (UTC) and in total, any subset: day=5,week=20,month=60,total=500 (0 removes one)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -l allow-ip -d 'Comma-separated networks (CIDR) the key may be used from [default: anywhere]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -l deny-ip -d 'Comma-separated networks (CIDR) the key is refused from' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -l note -d 'Free text for operators' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from list" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from list" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from list" -l all
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from list" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from ls" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from ls" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from ls" -l all
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from ls" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from ls" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from show" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from show" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from show" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from show" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -l name -d 'A new name' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -l permissions -d 'Comma-separated: read, write, admin' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -l expires -d 'A duration from now (30d), an RFC 3339 time, or `never`' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -l providers -d 'Comma-separated providers the key may use [default: all]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -l models -d 'Comma-separated model patterns (`*` wildcard), e.g. \'claude-*,gemini-2.5-*\' [default: all]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -l rpm -d 'Requests per minute (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -l rph -d 'Requests per hour (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -l tpm -d 'Input+output tokens per minute (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -l tpd -d 'Input+output tokens per day (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -l rps -d 'Token bucket: sustained requests per second (0 = none)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -l burst -d 'Token bucket: burst above the sustained rate (0 = the rate)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -l max-concurrent -d 'Requests in flight at most (0 = unlimited)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -l budget-usd -d 'Spend budgets in US dollars per calendar day, week (from Monday) and month (UTC) and in total, any subset: day=5,week=20,month=60,total=500 (0 removes one)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -l allow-ip -d 'Comma-separated networks (CIDR) the key may be used from [default: anywhere]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -l deny-ip -d 'Comma-separated networks (CIDR) the key is refused from' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -l note -d 'Free text for operators' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from rotate" -l grace -d 'How long the old secret keeps working (0 = it stops at once)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from rotate" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from rotate" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from rotate" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from rotate" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from rotate" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from rotate" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from revoke" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from revoke" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from revoke" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from revoke" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from revoke" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from delete" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from delete" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from delete" -l yes -d 'Do not ask for confirmation'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from delete" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from delete" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "create" -d 'Issue a key; its secret is printed once, here'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "list" -d 'List keys (revoked and expired ones with --all)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one key'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change a key\'s settings; its secret stays the same'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "rotate" -d 'Issue a new secret for the same key; printed once'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke a key at once'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a key for good (asks on a terminal; scripts pass --yes)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand route; and not __fish_seen_subcommand_from explain help" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand route; and not __fish_seen_subcommand_from explain help" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand route; and not __fish_seen_subcommand_from explain help" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand route; and not __fish_seen_subcommand_from explain help" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand route; and not __fish_seen_subcommand_from explain help" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand route; and not __fish_seen_subcommand_from explain help" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand route; and not __fish_seen_subcommand_from explain help" -f -a "explain" -d 'Where a new conversation would go now, and why: every account of the pool with its place in the plan or why it is left out, and the strategy\'s view of it. Takes no turn: explaining changes nothing'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand route; and not __fish_seen_subcommand_from explain help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand route; and __fish_seen_subcommand_from explain" -l model -d 'The model the request names [default: none]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand route; and __fish_seen_subcommand_from explain" -l type -d 'The pool: claude-code or gemini-cli [default: gemini-cli for a gemini model, else claude-code]' -r -f -a "claude-code\t''
gemini-cli\t''"
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand route; and __fish_seen_subcommand_from explain" -l key -d 'Also check that this key (id or name) may send it' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand route; and __fish_seen_subcommand_from explain" -l client -d 'Who sends it: claude-code or other' -r -f -a "claude-code\t''
other\t''"
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand route; and __fish_seen_subcommand_from explain" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand route; and __fish_seen_subcommand_from explain" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand route; and __fish_seen_subcommand_from explain" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand route; and __fish_seen_subcommand_from explain" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand route; and __fish_seen_subcommand_from explain" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand route; and __fish_seen_subcommand_from explain" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand route; and __fish_seen_subcommand_from help" -f -a "explain" -d 'Where a new conversation would go now, and why: every account of the pool with its place in the plan or why it is left out, and the strategy\'s view of it. Takes no turn: explaining changes nothing'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand route; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand stats" -l by -d 'Group rows by key, account, model or dialect' -r -f -a "key\t''
account\t''
model\t''
dialect\t''"
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand stats" -l since -d 'Only the last DURATION (1h, 24h, 7d; whole hours) [default: all time]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand stats" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand stats" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand stats" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand stats" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand stats" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand stats" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and not __fish_seen_subcommand_from tail help" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and not __fish_seen_subcommand_from tail help" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and not __fish_seen_subcommand_from tail help" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and not __fish_seen_subcommand_from tail help" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and not __fish_seen_subcommand_from tail help" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and not __fish_seen_subcommand_from tail help" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and not __fish_seen_subcommand_from tail help" -f -a "tail" -d 'The newest entries; with --follow, new ones as they come (JSON lines with --json)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and not __fish_seen_subcommand_from tail help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and __fish_seen_subcommand_from tail" -l key -d 'Only this key\'s requests' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and __fish_seen_subcommand_from tail" -l account -d 'Only this account\'s requests' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and __fish_seen_subcommand_from tail" -l request -d 'Only the request with this id (`req_gw_…`, from the answer\'s `x-gateway-request-id` header or an error\'s `request_id`)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and __fish_seen_subcommand_from tail" -l limit -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and __fish_seen_subcommand_from tail" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and __fish_seen_subcommand_from tail" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and __fish_seen_subcommand_from tail" -s f -l follow
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and __fish_seen_subcommand_from tail" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and __fish_seen_subcommand_from tail" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and __fish_seen_subcommand_from tail" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and __fish_seen_subcommand_from tail" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and __fish_seen_subcommand_from help" -f -a "tail" -d 'The newest entries; with --follow, new ones as they come (JSON lines with --json)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand log; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and not __fish_seen_subcommand_from list verify help" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and not __fish_seen_subcommand_from list verify help" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and not __fish_seen_subcommand_from list verify help" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and not __fish_seen_subcommand_from list verify help" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and not __fish_seen_subcommand_from list verify help" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and not __fish_seen_subcommand_from list verify help" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and not __fish_seen_subcommand_from list verify help" -f -a "list" -d 'Control-plane changes and security events, oldest first'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and not __fish_seen_subcommand_from list verify help" -f -a "verify" -d 'Recompute the hash chain and check every signed head; exit 5 if anything is off'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and not __fish_seen_subcommand_from list verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l since -d 'Only the last DURATION (1h, 24h, 7d)' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l limit -d 'The newest this many' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and __fish_seen_subcommand_from verify" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and __fish_seen_subcommand_from verify" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and __fish_seen_subcommand_from verify" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and __fish_seen_subcommand_from verify" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "list" -d 'Control-plane changes and security events, oldest first'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Recompute the hash chain and check every signed head; exit 5 if anything is off'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand alerts; and not __fish_seen_subcommand_from test help" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand alerts; and not __fish_seen_subcommand_from test help" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand alerts; and not __fish_seen_subcommand_from test help" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand alerts; and not __fish_seen_subcommand_from test help" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand alerts; and not __fish_seen_subcommand_from test help" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand alerts; and not __fish_seen_subcommand_from test help" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand alerts; and not __fish_seen_subcommand_from test help" -f -a "test" -d 'Send a test alert to every configured webhook now; exit 1 if any fails'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand alerts; and not __fish_seen_subcommand_from test help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand alerts; and __fish_seen_subcommand_from test" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand alerts; and __fish_seen_subcommand_from test" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand alerts; and __fish_seen_subcommand_from test" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand alerts; and __fish_seen_subcommand_from test" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand alerts; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand alerts; and __fish_seen_subcommand_from test" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand alerts; and __fish_seen_subcommand_from help" -f -a "test" -d 'Send a test alert to every configured webhook now; exit 1 if any fails'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand alerts; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand status" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand status" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand status" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand status" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand status" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand status" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand prices" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand prices" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand prices" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand prices" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand prices" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand prices" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand backup" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand backup" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand backup" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand backup" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand backup" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand backup" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand config; and not __fish_seen_subcommand_from reload help" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand config; and not __fish_seen_subcommand_from reload help" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand config; and not __fish_seen_subcommand_from reload help" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand config; and not __fish_seen_subcommand_from reload help" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand config; and not __fish_seen_subcommand_from reload help" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand config; and not __fish_seen_subcommand_from reload help" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand config; and not __fish_seen_subcommand_from reload help" -f -a "reload" -d 'Re-read the file gatewayd was started with; connections stay up'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand config; and not __fish_seen_subcommand_from reload help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand config; and __fish_seen_subcommand_from reload" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand config; and __fish_seen_subcommand_from reload" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand config; and __fish_seen_subcommand_from reload" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand config; and __fish_seen_subcommand_from reload" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand config; and __fish_seen_subcommand_from reload" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand config; and __fish_seen_subcommand_from reload" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "reload" -d 'Re-read the file gatewayd was started with; connections stay up'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand completions" -l socket -d 'Control socket of the daemon [default: $XDG_RUNTIME_DIR/gatewayd.sock or ~/.local/share/gatewayd/gatewayd.sock]' -r -F
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand completions" -l timeout -d 'How long to wait for the daemon [default: 10s; for `account drain --wait`, 10m]' -r
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand completions" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand completions" -l wide -d 'Tables as wide as their content (no wrapping), for wide terminals and pipes'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand completions" -s h -l help -d 'Print help'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and not __fish_seen_subcommand_from account key route stats log audit alerts status prices backup config completions help" -f -a "account" -d 'Upstream accounts in the pool'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and not __fish_seen_subcommand_from account key route stats log audit alerts status prices backup config completions help" -f -a "key" -d 'Gateway keys that clients present'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and not __fish_seen_subcommand_from account key route stats log audit alerts status prices backup config completions help" -f -a "route" -d 'How requests are placed on the pool'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and not __fish_seen_subcommand_from account key route stats log audit alerts status prices backup config completions help" -f -a "stats" -d 'Counted requests and tokens'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and not __fish_seen_subcommand_from account key route stats log audit alerts status prices backup config completions help" -f -a "log" -d 'The request log (redacted: ids, statuses, timings, tokens)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and not __fish_seen_subcommand_from account key route stats log audit alerts status prices backup config completions help" -f -a "audit" -d 'The tamper-evident audit log: control-plane changes and security events'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and not __fish_seen_subcommand_from account key route stats log audit alerts status prices backup config completions help" -f -a "alerts" -d 'Alert webhooks'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and not __fish_seen_subcommand_from account key route stats log audit alerts status prices backup config completions help" -f -a "status" -d 'Daemon version, uptime, address and counts'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and not __fish_seen_subcommand_from account key route stats log audit alerts status prices backup config completions help" -f -a "prices" -d 'The price table cost is estimated from (the config\'s rows, then the shipped ones)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and not __fish_seen_subcommand_from account key route stats log audit alerts status prices backup config completions help" -f -a "backup" -d 'Write a consistent backup of all state to FILE while the daemon runs (the master key is not included; restore with `gatewayd restore FILE --data-dir DIR`)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and not __fish_seen_subcommand_from account key route stats log audit alerts status prices backup config completions help" -f -a "config" -d 'The daemon\'s configuration file'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and not __fish_seen_subcommand_from account key route stats log audit alerts status prices backup config completions help" -f -a "completions" -d 'Print a shell completion script (the same as the files in completions/)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and not __fish_seen_subcommand_from account key route stats log audit alerts status prices backup config completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "add" -d 'Add an upstream account; its credential is read from a file, stdin or a hidden prompt'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "list" -d 'List accounts with their status'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "show" -d 'Show one account'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "update" -d 'Change an account\'s settings or credential'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "remove" -d 'Remove an account from the pool for good (asks on a terminal; scripts pass --yes)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "disable" -d 'Take an account out of rotation'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "enable" -d 'Put an account back into rotation, clearing errors and cool-downs'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "drain" -d 'Stop new requests to an account; with --wait, follow its in-flight requests to zero'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "undrain" -d 'Return a drained account to service'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "test" -d 'One live call through the account; prints latency and result'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "import" -d 'Add a subscription account from an existing login (Claude Code\'s ~/.claude/.credentials.json, Gemini CLI\'s ~/.gemini/oauth_creds.json, a token JSON, or a long-lived setup token)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "refresh" -d 'Refresh an OAuth account\'s access token now'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "usage" -d 'A subscription\'s rate-limit windows (5h/7d utilisation and resets) as last reported'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "login" -d 'Log in to a Claude subscription or a Google account (Gemini CLI) in a browser and add it (authorization code + PKCE, code pasted back)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "create" -d 'Issue a key; its secret is printed once, here'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "list" -d 'List keys (revoked and expired ones with --all)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "show" -d 'Show one key'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "update" -d 'Change a key\'s settings; its secret stays the same'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "rotate" -d 'Issue a new secret for the same key; printed once'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "revoke" -d 'Revoke a key at once'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "delete" -d 'Delete a key for good (asks on a terminal; scripts pass --yes)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from route" -f -a "explain" -d 'Where a new conversation would go now, and why: every account of the pool with its place in the plan or why it is left out, and the strategy\'s view of it. Takes no turn: explaining changes nothing'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from log" -f -a "tail" -d 'The newest entries; with --follow, new ones as they come (JSON lines with --json)'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "list" -d 'Control-plane changes and security events, oldest first'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "verify" -d 'Recompute the hash chain and check every signed head; exit 5 if anything is off'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from alerts" -f -a "test" -d 'Send a test alert to every configured webhook now; exit 1 if any fails'
complete -c gatewayctl -n "__fish_gatewayctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "reload" -d 'Re-read the file gatewayd was started with; connections stay up'
