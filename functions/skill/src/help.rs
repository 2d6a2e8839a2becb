//! "Help": how to order and confirm, and listen.

use crate::speech;
use pod_shared::alexa::ResponseEnvelope;

pub(crate) fn answer() -> ResponseEnvelope {
    ResponseEnvelope::ask(speech::help(), speech::what_to_say())
}
