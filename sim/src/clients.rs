#![doc = include_str!("../docs/clients.md")]
