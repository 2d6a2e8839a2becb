//! Pod's end-to-end tests, in one binary: private local stacks (`pod_local`) on free ports,
//! driven over HTTP the way Alexa, an API client, a browser and the production Auth0 client
//! would. One module per subject; `helpers` holds the stack and the clients they share.
//!
//! Some tests run on DynamoDB and need the local DynamoDB-compatible server
//! (`scripts/with-moto.sh cargo test -p pod-local`, or `make test`); the browser tests need
//! Chromium and chromedriver (`scripts/install-chromium.sh`).

mod helpers;

mod attack;
mod auth0_client;
mod browser;
mod chat;
mod conversation;
mod erasure;
mod faults;
mod logs;
mod progressive;
mod replays;
mod round_trips;
mod sign_out;
mod voice_pin;
