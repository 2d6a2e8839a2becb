//! CPU cost of `GET /pod/api/orders` (criterion): a user with 20 orders, the
//! embedded store (on tmpfs where there is one, as the skill bench explains), the identity provider in process. `make bench` runs it.

use axum::body::Body;
use axum::http::Request;
use criterion::{Criterion, criterion_group, criterion_main};
use pod_shared::domain::{ChallengePolicy, Pizza, Size, Timestamp, Toppings, UserId};
use pod_shared::service::OrderService;
use pod_shared::store::EmbeddedOrderStore;
use pod_shared::testing::{FakeCodeDesk, FakeDirectory, ManualClock};
use std::sync::Arc;
use tower::ServiceExt;

fn list_orders(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() { tempfile::tempdir_in(shm).unwrap() } else { tempfile::tempdir().unwrap() };
    let service = OrderService::new(
        Arc::new(EmbeddedOrderStore::open(dir.path()).unwrap()),
        Arc::new(FakeDirectory::standard()),
        Arc::new(FakeCodeDesk::accepting("4217")),
        Arc::new(ManualClock::at(Timestamp::from_unix_millis(1_800_000_000_000))),
        ChallengePolicy { sends_per_hour: u32::MAX, ..ChallengePolicy::default() },
    );
    let ana = UserId::parse("auth0|ana").unwrap();
    for _ in 0..20 {
        let pizza = Pizza { size: Size::Large, toppings: Toppings::default() };
        runtime.block_on(service.place_order(&ana, pizza, pod_shared::domain::Source::Api)).unwrap();
    }
    let router = pod_api::router(service);
    c.bench_function("api/list_orders", |b| {
        b.iter(|| {
            let request = Request::get("/pod/api/orders?limit=20")
                .header("authorization", "Bearer token-ana")
                .body(Body::empty())
                .unwrap();
            let response = runtime.block_on(router.clone().oneshot(request)).unwrap();
            assert!(response.status().is_success());
        })
    });
}

criterion_group!(benches, list_orders);
criterion_main!(benches);
