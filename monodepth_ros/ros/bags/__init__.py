"""Recorded messages between rosbags' CDR bytes and rclpy: message classes, (de)serialisation, recorded QoS."""
