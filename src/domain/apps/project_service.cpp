namespace berth {}  // namespace berth
