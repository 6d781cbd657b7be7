use dynamo_playground::core::message::*;
use dynamo_playground::core::version::*;
use dynamo_playground::core::request::*;
use dynamo_playground::sim::trace::*;
use dynamo_playground::sim::world::*;
fn main() {
    println!("Msg {} Effect {} Event {} Version {} ClientReply {} ClientRequest {} Note {} Timer {} Request {} Put {} Get {} InFlight {} OpRecord {}",
        std::mem::size_of::<Msg>(), std::mem::size_of::<Effect>(), std::mem::size_of::<Event>(),
        std::mem::size_of::<Version>(), std::mem::size_of::<ClientReply>(), std::mem::size_of::<ClientRequest>(),
        std::mem::size_of::<Note>(), std::mem::size_of::<Timer>(), std::mem::size_of::<Request>(), std::mem::size_of::<PutRequest>(), std::mem::size_of::<GetRequest>(), std::mem::size_of::<InFlight>(), std::mem::size_of::<OpRecord>());
}
