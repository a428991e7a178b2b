"""What feeds a node: subscriptions that follow the publishers' reliability, camera_info pairing, sensor extrinsics,
the camera streams of a node serving several cameras."""
