"""How each member hears about each kind of notification, and the signed one-click unsubscribe."""
